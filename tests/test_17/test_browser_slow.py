"""Lesson 17 as a room uses it: the instructor's page in a real Chromium, fed by student checkouts on this machine.

The instructor serves the room as `make workshop` does, opens it and logs in through the login page;
each student is a checkout of its own that runs `workshop join`, then `exercise 01.1` on the untouched
starter (failing) or on the reference solution (passing). The page shows each run the room took (the
command printed nothing on stderr: its report was answered `ok`), and still shows every status after the
server is killed and started again. One room and its two checkouts serve the module (served_room,
joined_checkouts). How soon the page shows
a run is bench/speed/workshop.py's figure; here each wait is for the page to show it, up to CONDITION.
Needs Chromium (the browser fixture says how to get it).
"""

import os
import shutil
import signal
import sys

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from harness.patience import COMMAND, CONDITION
from harness.servers import WarmDaphnes
from tests.helpers.workshop_server import log_in, serve, student_terminal

pytestmark = [pytest.mark.slow, pytest.mark.browser]
STARTER = "exercises/01_1_sync_echo/sync_echo.py"
SOLUTION = "exercises/01_1_sync_echo/meta/solution.py"
FAILING = "01.1 ✗ failing: it accepts the socket"
PASSING = "01.1 ✓ passing"

# What the page shows of one student's exercises: what each cell of their tile says, or None if no tile.
CHIPS = """
const tile = [...document.querySelectorAll("#tiles li.tile")].find((li) => li.dataset.name === arguments[0]);
return tile ? [...tile.querySelectorAll(".cell")].map((cell) => cell.title).join(" | ") : null;
"""


def run_exercise(student) -> tuple[int, str]:
    """`python manage.py exercise 01.1` in the student's checkout; its exit status and stderr."""
    done = WarmDaphnes.run([sys.executable, "manage.py", "exercise", "01.1"], student, student_terminal(), COMMAND)
    return done.returncode, done.stderr


def shows(browser, name: str, text: str) -> None:
    """Wait until the page shows `text` among `name`'s exercises (a liveness deadline: CONDITION)."""
    try:
        WebDriverWait(browser, CONDITION, poll_frequency=0.05).until(
            lambda _: text in (browser.execute_script(CHIPS, name) or "")
        )
    except Exception:  # selenium's TimeoutException
        shown = browser.execute_script(CHIPS, name)
        raise AssertionError(f"{name}: {text!r} not shown; the page shows {shown!r}") from None


def run_both(room, students) -> None:
    """alice runs 01.1 on the untouched starter (failing), bob on the solution (passing); once a module."""
    if getattr(room, "ran", False):
        return
    shutil.copy(students["bob"] / SOLUTION, students["bob"] / STARTER)
    assert run_exercise(students["alice"]) == (1, "")  # nothing on stderr: the room answered `ok`
    assert run_exercise(students["bob"]) == (0, "")
    room.ran = True


def test_each_students_exercise_runs_show_on_the_instructors_page(served_room, joined_checkouts, browser):
    log_in(browser, served_room.server)  # the page is open before the runs: it hears of them live
    run_both(served_room, joined_checkouts)
    shows(browser, "alice", FAILING)
    shows(browser, "bob", PASSING)


def test_after_the_server_is_killed_and_restarted_the_page_shows_every_status(served_room, joined_checkouts, browser):
    room = served_room
    log_in(browser, room.server)
    run_both(room, joined_checkouts)
    shows(browser, "alice", FAILING)
    shows(browser, "bob", PASSING)
    os.kill(room.server.pid, signal.SIGKILL)  # a crash, not a clean stop
    room.server.stop()
    room.server = serve(room.env, room.port)  # the same database and SECRET_KEY: the session and tokens still hold
    browser.refresh()
    shows(browser, "alice", FAILING)
    shows(browser, "bob", PASSING)
