"""Lesson 09 on real processes: a live Daphne on the file-based test database, and Channels'
ChannelsLiveServerTestCase (and the in-memory database it refuses)."""

import os
import subprocess
import sys
import urllib.request

import pytest
from django.test import Client

from harness.patience import COMMAND, FRAME
from harness.servers import REPO_DIR

pytestmark = pytest.mark.slow
LIVE_CASE = "tests/helpers/channels_live_case.py"


@pytest.mark.django_db(transaction=True)
def test_a_live_daphne_process_sees_what_a_transactional_test_committed(course_server, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create(username="admin", is_staff=True, is_superuser=True))
    request = urllib.request.Request(
        course_server.http_url + "/admin/", headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    )
    with urllib.request.urlopen(request, timeout=FRAME) as response:
        assert response.status == 200
        assert b"Site administration" in response.read()


def run_live_case(test_database: str) -> subprocess.CompletedProcess:
    """A pytest of its own on tests/helpers/channels_live_case.py, with this TEST database NAME."""
    env = {**os.environ, "TEST_DATABASE_NAME": test_database}
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", LIVE_CASE]
    return subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND)


def test_channels_live_server_test_case_serves_the_course_from_a_test_db_file(tmp_path):
    run = run_live_case(str(tmp_path / "live_case.sqlite3"))
    assert run.returncode == 0, run.stdout[-3000:]
    assert "1 passed" in run.stdout


def test_channels_live_server_test_case_refuses_an_in_memory_test_database():
    """SQLite's default test database lives in memory, which a forked Daphne cannot open."""
    run = run_live_case(":memory:")
    assert run.returncode != 0
    assert "ChannelLiveServerTestCase can not be used with in memory databases" in run.stdout
