"""Lesson 17's page at sixty, in a real Chromium: still one 1280x800 screen, and presence that means at work.

The class of test_glance_slow.py (classroom()) at sixty, each from an address of its own. Every
tile, *Needs help* by check and the pace fit one screen; the header counts the students active in
the last few minutes, and each tile says when its student last ran a check, in words that read as
a time ("checked just now", "checked 7 min ago"), never as a distance.
"""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers.workshop_server import log_in
from tests.test_17.test_glance_slow import classroom, join, the_glance_fits_one_screen, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser]
COUNTS = "return document.getElementById('counts').textContent"
LAST = "return [...document.querySelectorAll('#tiles li.tile')].find((li) => li.dataset.name === arguments[0]).querySelector('.last').textContent"


def sixty(room) -> dict[str, str]:
    return classroom(room, 60)


def test_sixty_tiles_who_needs_help_by_check_and_the_pace_fit_one_1280x800_screen(served_room, browser, tmp_path):
    sixty(served_room)
    the_glance_fits_one_screen(served_room, browser, 60, tmp_path / "room-60-1280x800.png")


def aged(room, name: str, minutes: int) -> None:
    """The room's database says `name` last sent a frame, and last ran a check, `minutes` ago (a laptop left idle)."""
    then = (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(room.env["DATABASE_URL"].removeprefix("sqlite:///")) as database:
        database.execute(
            "UPDATE workshop_student SET last_seen = ?, last_report_at = ? WHERE name = ?", (then, then, name)
        )


def test_the_header_counts_who_is_active_and_a_tile_says_when_they_last_checked(served_room, browser):
    sixty(served_room)
    join(served_room, "newcomer", 70)  # joined, never ran a check
    aged(served_room, "dan", 7)  # active 7 minutes ago: past the room's 5
    aged(served_room, "eve", 3)  # ran a check 3 minutes ago and is editing: at work
    log_in(browser, served_room.server)
    wait_until(browser, "return document.querySelectorAll('#tiles li.tile').length === 61")
    assert browser.execute_script(COUNTS).startswith("61 students, 60 active in the last 5 min, 4 hands up")
    assert browser.execute_script(LAST, "dan") == "checked 7 min ago"
    assert browser.execute_script(LAST, "eve") == "checked 3 min ago"
    assert browser.execute_script(LAST, "ada") == "checked just now"
    assert browser.execute_script(LAST, "newcomer") == "no check yet"
