"""Lesson 00 on real processes: runserver with and without daphne, the doctor on daphne.E001,
imports in asgi.py, and the index in a real Chromium."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from course.catalogue import LESSONS
from harness.patience import COMMAND
from harness.servers import REPO_DIR, ServerProcess, free_port
from tests.helpers.clients import ORIGIN_URL


def python_env(tmp_path: Path, settings_module: str = "lessons.settings") -> dict[str, str]:
    """The environment of a child Python that imports this repository and the modules a test wrote to tmp_path."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO_DIR)]),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # never the student's own database
        "PYTHONUNBUFFERED": "1",
    }


DAPHNE_BELOW_STATICFILES = (
    "from lessons.settings import *\n"
    "INSTALLED_APPS = [app for app in INSTALLED_APPS if app != 'daphne']\n"
    "INSTALLED_APPS.insert(INSTALLED_APPS.index('django.contrib.staticfiles') + 1, 'daphne')\n"
)


@pytest.mark.slow
def test_with_daphne_below_staticfiles_runserver_does_not_start_daphne_e001(tmp_path):
    (tmp_path / "daphne_below.py").write_text(DAPHNE_BELOW_STATICFILES)
    argv = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{free_port()}"]
    env = python_env(tmp_path, "daphne_below")
    result = subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND)
    assert result.returncode != 0
    assert "(daphne.E001) Daphne must be listed before django.contrib.staticfiles" in result.stderr


@pytest.mark.slow
def test_on_a_fresh_database_the_doctor_prints_the_migrate_command(tmp_path):
    argv = [sys.executable, "manage.py", "doctor"]
    result = subprocess.run(
        argv, cwd=REPO_DIR, env=python_env(tmp_path), capture_output=True, text=True, timeout=COMMAND
    )
    assert result.returncode == 1
    [line] = [line for line in result.stdout.splitlines() if "migrations applied" in line]
    assert line.startswith("FAIL  migrations applied: ") and line.endswith("run `python manage.py migrate`"), line


@pytest.mark.slow
def test_the_doctor_turns_daphne_e001_into_its_one_line_fix_not_a_traceback(tmp_path):
    (tmp_path / "daphne_below.py").write_text(DAPHNE_BELOW_STATICFILES)
    argv = [sys.executable, "manage.py", "doctor"]
    env = python_env(tmp_path, "daphne_below")
    result = subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert (
        "FAIL  Django system checks: daphne.E001: Daphne must be listed before django.contrib.staticfiles "
        "in INSTALLED_APPS. Fix: move 'daphne' back to the top of INSTALLED_APPS in lessons/settings.py"
    ) in result.stdout


@pytest.mark.slow
def test_an_import_before_get_asgi_application_raises_app_registry_not_ready(tmp_path):
    (tmp_path / "early_asgi.py").write_text(
        "from lessons.routing import websocket_urlpatterns  # consumers, and their models, too early\n"
        "from django.core.asgi import get_asgi_application\n"
        "application = get_asgi_application()\n"
    )
    command = [sys.executable, "-c", "import early_asgi"]  # what a server does first with "early_asgi:application"
    result = subprocess.run(
        command, cwd=REPO_DIR, env=python_env(tmp_path), capture_output=True, text=True, timeout=COMMAND
    )
    assert result.returncode == 1
    assert "django.core.exceptions.AppRegistryNotReady: Apps aren't loaded yet." in result.stderr


@pytest.mark.slow
def test_runserver_without_daphne_is_wsgi_and_answers_a_websocket_handshake_with_404(tmp_path):
    (tmp_path / "no_daphne.py").write_text(
        "from lessons.settings import *\nINSTALLED_APPS = [app for app in INSTALLED_APPS if app != 'daphne']\n"
    )
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = ServerProcess("runserver", command, python_env(tmp_path, "no_daphne"), port)
    try:
        with pytest.raises(InvalidStatus) as refused, connect(server.ws_url("ws/sync/echo/"), origin=ORIGIN_URL):
            pass  # Daphne's runserver would accept this socket
        assert refused.value.response.status_code == 404
    finally:
        server.stop()
    assert "System check identified no issues" in server.log()  # nothing warns that daphne is missing
    assert "Not Found: /ws/sync/echo/" in server.log()


@pytest.mark.browser
def test_index_page_links_to_every_lesson_page_in_a_real_browser(browser, course_server):
    browser.get(course_server.http_url + "/")
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a.lesson-link")]
    assert links == [course_server.http_url + lesson.page_url for lesson in LESSONS]


@pytest.mark.browser
def test_lesson_00_page_renders_in_a_real_browser(browser, course_server):
    browser.get(course_server.http_url + "/lessons/00/")
    assert "ProtocolTypeRouter" in browser.find_element(By.ID, "lesson-text").text
    assert browser.find_element(By.ID, "test-command").text == 'pytest tests/test_00 -m "not browser and not slow"'
