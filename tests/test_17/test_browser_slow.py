"""Lesson 17 as a room uses it: the instructor's page in a real Chromium, fed by student checkouts on this machine.

The instructor serves the room as `make workshop` does, opens it and logs in through the login page;
each student is a checkout of its own that runs `workshop join`, then `exercise 01.1` on the untouched
starter (failing) and again on the reference solution (passing). The page must show each change
within 2 s of the command that made it, and still show every status after the server is killed and
started again. Needs Chromium (the browser fixture says how to get it).
"""

import os
import shutil
import signal
import subprocess
import sys

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness.servers import free_fixed_port
from tests.helpers.workshop_server import PASSWORD, checkout, make_room_env, manage, open_room, serve

pytestmark = [pytest.mark.slow, pytest.mark.browser]
STARTER = "exercises/01_1_sync_echo/sync_echo.py"
SOLUTION = "exercises/01_1_sync_echo/meta/solution.py"
FAILING = "01.1 ✗ failing: it accepts the socket"
PASSING = "01.1 ✓ passing"

# What the page shows of one student's exercises: the text of their row's chips, or None if no row.
CHIPS = """
const row = [...document.querySelectorAll("#student-rows tr")]
  .find((tr) => tr.querySelector(".name")?.textContent === arguments[0]);
return row ? [...row.querySelectorAll("ul.exercises li")].map((li) => li.textContent).join(" | ") : null;
"""


def student_env() -> dict:
    """A student's terminal: none of the test run's database settings, the connection saved in the checkout."""
    drop = ("DATABASE_URL", "TEST_DATABASE_NAME", "WORKSHOP_FILE", "EXERCISES_STARTERS", "SECRET_KEY")
    return {key: value for key, value in os.environ.items() if key not in drop}


def run_exercise(student) -> int:
    """`python manage.py exercise 01.1` in the student's checkout; its exit status."""
    argv = [sys.executable, "manage.py", "exercise", "01.1"]
    return subprocess.run(argv, cwd=student, env=student_env(), capture_output=True, timeout=60).returncode


def shows(browser, name: str, text: str) -> bool:
    """Whether the page shows `text` among `name`'s exercises within 2 s (the contract's bound)."""
    try:
        WebDriverWait(browser, 2, poll_frequency=0.05).until(
            lambda _: text in (browser.execute_script(CHIPS, name) or "")
        )
    except Exception:  # selenium's TimeoutException: not shown in time
        return False
    return True


def log_in(browser, server) -> None:
    """The instructor logs in through the login page and lands on the live room."""
    browser.get(f"{server.http_url}/accounts/login/?next=/workshop/")
    browser.find_element(By.NAME, "username").send_keys("teacher")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
    WebDriverWait(browser, 10).until(lambda _: browser.current_url.endswith("/workshop/"))


def a_room(tmp_path, browser):
    """A served room, opened, the instructor on its page, and two joined student checkouts: (server, env, port, students)."""
    env, port = make_room_env(tmp_path), free_fixed_port()
    server = serve(env, port)
    code = open_room(env, port)
    log_in(browser, server)
    students = {}
    for name in ("alice", "bob"):
        students[name] = checkout(tmp_path, name)
        said = manage(student_env(), "workshop", "join", server.http_url, code, "--name", name, cwd=students[name])
        assert "joined" in said
    return server, env, port, students


def test_each_students_exercise_runs_show_on_the_instructors_page_within_2_s(tmp_path, browser):
    server, _, _, students = a_room(tmp_path, browser)
    try:
        for name, student in students.items():
            assert run_exercise(student) == 1
            assert shows(browser, name, FAILING), browser.execute_script(CHIPS, name)
            shutil.copy(student / SOLUTION, student / STARTER)
            assert run_exercise(student) == 0
            assert shows(browser, name, PASSING), browser.execute_script(CHIPS, name)
    finally:
        server.stop()


def test_after_the_server_is_killed_and_restarted_the_page_shows_every_status(tmp_path, browser):
    server, env, port, students = a_room(tmp_path, browser)
    try:
        run_exercise(students["alice"])
        shutil.copy(students["bob"] / SOLUTION, students["bob"] / STARTER)
        run_exercise(students["bob"])
        assert shows(browser, "alice", FAILING) and shows(browser, "bob", PASSING)
        os.kill(server.pid, signal.SIGKILL)  # a crash, not a clean stop
        server.stop()
        assert run_exercise(students["alice"]) == 1  # the student's own result, with the room down
        server = serve(env, port)  # the same database and SECRET_KEY: the session and tokens still hold
        browser.refresh()
        assert shows(browser, "alice", FAILING) and shows(browser, "bob", PASSING)
    finally:
        server.stop()
