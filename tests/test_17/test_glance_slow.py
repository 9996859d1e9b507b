"""Lesson 17's page at thirty, in a real Chromium: one 1280x800 screen, accessible, live, in UTC.

The room is served as `make workshop` serves it; students join over HTTP, each from an address of
its own (127.0.0.N), and report over a real socket as `exercise` and `doctor` do: a class at work
(classroom()). Then every tile, *Needs help* (hands up, then one line a failing check with how many
fail it, most first) and the exercise most of the room is on fit one 1280x800 screen (here at thirty,
at sixty in test_glance_sixty_slow.py; WORKSHOP_SCREENSHOT=<file.png> keeps a screenshot); a check's
students and what it says are there on demand and stay open when the page redraws; axe-core finds no
serious or critical violation; the page's times are UTC on a 24-hour clock, whatever the browser's.
"""

import http.client
import json
import os
import re

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from websockets.sync.client import connect

from harness.patience import CONDITION, FRAME
from tests.course.test_pages_accessible_slow import RUN_AXE, audited
from tests.helpers.pages import viewport
from tests.helpers.workshop_server import log_in

pytestmark = [pytest.mark.slow, pytest.mark.browser]
NAMES = "Zoë ada Émile bob carol dan Emma eve frank grace heidi ivan judy karl liam mia noor Ölaf oscar peggy quinn rosa sam tara uma victor wendy xiao yusuf zach".split()
JSON_VALUES = [7, 1.5, True, None, {"toString": 1}, ["x"], "", "x" * 100_000]
SAYS = "expected a tick within 1.5 s, got none"
# Done by mid-morning: everyone passed these (a tile that grew with them would not fit).
DONE = [
    {"report": {"exercise": exercise, "status": "passing"}}
    for exercise in "01.1 01.2 01.3 01.4 02.2 02.3 03.2 03.3".split()
]
# What each fifth of the class is doing now (student i does WORK[i % 5] after DONE).
WORK = [
    {"report": {"exercise": "02.1", "status": "failing", "check": "it ticks", "says": SAYS}},
    {"report": {"exercise": "02.1", "status": "failing", "check": "it ticks", "says": SAYS}},
    {"report": {"exercise": "04.1", "status": "failing", "check": "it whispers"}},
    {"report": {"exercise": "03.1", "status": "failing", "check": "it adds the numbers sent"}},
    {"report": {"exercise": "02.1", "status": "passing"}},
]
NOT_READY = {"doctor": {"ready": False, "problems": ["FAIL  redis: refused", "warn  python 3.10"]}}


def names(size: int) -> list[str]:
    """`size` names: the thirty above, then the same with a 2 (sixty at most)."""
    return (NAMES + [f"{name} 2" for name in NAMES])[:size]


def join(room, name: str, n: int) -> str:
    """POST /workshop/join/ from 127.0.0.<n>, as that student's checkout would; their token."""
    connection = http.client.HTTPConnection("127.0.0.1", room.port, timeout=FRAME, source_address=(f"127.0.0.{n}", 0))
    try:
        connection.request("POST", "/workshop/join/", json.dumps({"code": room.code, "name": name}))
        answer = connection.getresponse()
        assert answer.status == 201, answer.read()
        return json.loads(answer.read())["token"]
    finally:
        connection.close()


def send(room, token: str, *frames: object, n: int = 1) -> list[dict]:
    """Each frame over one student socket from 127.0.0.<n>, after the token; the answer to each."""
    url = room.server.http_url
    ws_url = f"ws{url.removeprefix('http')}/ws/workshop/student/"
    with connect(ws_url, origin=url, open_timeout=FRAME, source_address=(f"127.0.0.{n}", 0)) as ws:
        ws.send(json.dumps({"token": token}))
        assert "joined" in json.loads(ws.recv(timeout=FRAME))
        answers = []
        for frame in frames:
            ws.send(json.dumps(frame))
            answers.append(json.loads(ws.recv(timeout=FRAME)))
        return answers


def classroom(room, size: int) -> dict[str, str]:
    """`size` students joined and at work, once a module: DONE, WORK, a hand up in fifteen, one doctor not ready."""
    if not hasattr(room, "tokens"):
        room.tokens = {}
        for i, name in enumerate(names(size)):
            room.tokens[name] = token = join(room, name, i + 2)
            frames = [*DONE, WORK[i % 5]] + [{"help": True}] * (i % 15 == 4) + [NOT_READY] * (i == 7)
            assert all("ok" in answer for answer in send(room, token, *frames, n=i + 2))
    assert len(room.tokens) == size
    return room.tokens


def thirty(room) -> dict[str, str]:
    return classroom(room, 30)


def wait_until(browser, script: str, *args) -> object:
    """The first true value the page's script returns, waiting up to CONDITION for it."""
    return WebDriverWait(browser, CONDITION, poll_frequency=0.05).until(lambda _: browser.execute_script(script, *args))


ALL_THIRTY = "return document.querySelectorAll('#tiles li.tile').length >= 30"
HELP = "return [...document.querySelectorAll('#help-list > li')].map((li) => [li.className, li.textContent])"
# Each part of the glance that is not wholly on the screen (a part missing is counted by the test).
OFF_SCREEN = """
const parts = [...document.querySelectorAll("#tiles li.tile, #help-list > li, #help-heading, #pace-now, .room-head")];
return parts.filter((node) => {
  const box = node.getBoundingClientRect();
  return box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth;
}).map((node) => node.textContent.slice(0, 40));
"""


def the_glance_fits_one_screen(room, browser, size: int, screenshot) -> None:
    """At 1280x800: every tile, hands first, then the failing checks by how many fail each, and the pace."""
    with viewport(browser, 1280, 800):
        log_in(browser, room.server)
        wait_until(browser, f"return document.querySelectorAll('#tiles li.tile').length >= {size}")
        browser.save_screenshot(os.environ.get("WORKSHOP_SCREENSHOT") or str(screenshot))
        assert browser.execute_script(OFF_SCREEN) == []
        lines = browser.execute_script(HELP)
        pace = browser.execute_script("return document.getElementById('pace-now')?.textContent ?? ''")
    hands = len([i for i in range(size) if i % 15 == 4])
    assert [kind for kind, _ in lines[:hands]] == ["hand"] * hands
    stuck = [words for kind, words in lines if kind == "stuck"]
    assert stuck[0].startswith(f"{2 * size // 5} fail 02.1 it ticks") and len(stuck) == 3
    assert [int(words.split()[0]) for words in stuck] == [2 * size // 5, size // 5, size // 5]
    assert pace.startswith("02.1") and f"{size // 5} ✓ passed, {2 * size // 5} ✗ trying" in pace


def test_thirty_tiles_who_needs_help_by_check_and_the_pace_fit_one_1280x800_screen(served_room, browser, tmp_path):
    thirty(served_room)
    the_glance_fits_one_screen(served_room, browser, 30, tmp_path / "room-30-1280x800.png")


def test_a_checks_students_and_what_it_says_are_there_on_demand(served_room, browser):
    thirty(served_room)
    log_in(browser, served_room.server)
    wait_until(browser, ALL_THIRTY)
    browser.execute_script("document.querySelector('#help-list li.stuck summary').click()")
    shown = browser.execute_script("return document.querySelector('#help-list li.stuck details[open]').textContent")
    ticking = [name for i, name in enumerate(names(30)) if i % 5 in (0, 1)]
    assert all(name in shown for name in ticking) and f"{len(ticking)} × {SAYS}" in shown


def test_an_opened_checks_students_stay_open_when_the_page_redraws(served_room, browser):
    tokens = thirty(served_room)
    log_in(browser, served_room.server)
    wait_until(browser, ALL_THIRTY)
    browser.execute_script("document.querySelector('#help-list li.stuck summary').click()")
    send(served_room, tokens["bob"], {"help": True}, n=5)  # a hand goes up: *Needs help* is drawn again
    wait_until(
        browser, "return [...document.querySelectorAll('#help-list li.hand .who')].some((n) => n.textContent === 'bob')"
    )
    assert browser.execute_script("return document.querySelectorAll('#help-list li.stuck details[open]').length") == 1
    send(served_room, tokens["bob"], {"help": False}, n=5)


def test_the_pages_times_are_utc_on_a_24_hour_clock_whatever_the_browsers_zone(served_room, browser):
    thirty(served_room)
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/Los_Angeles"})
    browser.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "en-US"})  # a 12-hour clock by habit
    try:
        log_in(browser, served_room.server)
        wait_until(browser, ALL_THIRTY)
        opened = browser.execute_async_script(
            "fetch('/workshop/room.json').then((r) => r.json()).then((room) => arguments[0](room.workshop.opened))"
        )
        shown = browser.execute_script("return document.getElementById('room-summary').textContent")
    finally:
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})
        browser.execute_cdp_cmd("Emulation.setLocaleOverride", {})
    assert opened.endswith("+00:00")
    assert re.fullmatch(r"Workshop open since (\d\d:\d\d) UTC\.", shown)[1] == opened[11:16]


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_axe_core_finds_no_serious_or_critical_violation_on_the_room(served_room, browser, width, height):
    thirty(served_room)
    with audited(browser, width, height):
        log_in(browser, served_room.server)
        wait_until(browser, ALL_THIRTY)
        violations = browser.execute_async_script(RUN_AXE)
    assert [v for v in violations if v[1] in ("serious", "critical")] == []
