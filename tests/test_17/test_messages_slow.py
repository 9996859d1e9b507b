"""Lesson 17: every joined student hears the instructor, through a real Daphne and real `exercise` runs.

The instructor says something on the staff socket; a student who runs no watch runs `exercise 01.1`
twice: the first run prints the message after its own result, the second does not, and room.json
says the student printed it (message_seen), which is what the page counts.
"""

import pytest

from tests.helpers.workshop_rooms import room_json, staff_cookie, staff_says
from tests.helpers.workshop_server import REPORTS_ARRIVE
from tests.test_17.test_client_slow import alone, manage, open_and_join

pytestmark = pytest.mark.slow


@pytest.mark.django_db(transaction=True)
def test_without_a_watch_the_next_run_prints_a_message_once_and_the_room_counts_it(daphne, tmp_path):
    server, cookie = daphne(), staff_cookie()
    open_and_join(server.http_url, tmp_path)
    said = staff_says(server.http_url, cookie, "break until 11:00")
    first = manage(tmp_path, "exercise", "01.1", env=REPORTS_ARRIVE)
    second = manage(tmp_path, "exercise", "01.1", env=REPORTS_ARRIVE)
    assert (first.stderr, second.stderr) == ("", "")  # both reports answered `ok`
    assert first.stdout == alone().stdout + "\nFrom the instructor: break until 11:00\n"
    assert "From the instructor" not in second.stdout and second.returncode == 1
    [alice] = room_json(server.http_url, cookie)["students"]
    assert alice["message_seen"] == said
