"""Lesson 17's page at thirty, in a real Chromium: one 1280x800 screen, accessible, live, and whole.

The room is served as `make workshop` serves it; thirty students join over HTTP, each from an
address of its own (127.0.0.N: the join throttle counts per address), and report over a real
socket as `exercise` and `doctor` do. Then: every student and "Needs help" fit one 1280x800
screen (WORKSHOP_SCREENSHOT=<file.png> keeps a screenshot to look at); axe-core finds no serious
or critical violation; a join, a leave and a close each show as an event; and every field of
every frame, planted with every JSON type, leaves every student listed, whether the server
refuses it (over the socket) or room.js meets it (a stand-in socket hands the page the frames).
"""

import http.client
import json
import os

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
PASSED = {"report": {"exercise": "01.1", "status": "passing"}}
TICKS = {"report": {"exercise": "02.1", "status": "failing", "check": "it ticks", "says": SAYS}}
WHISPERS = {"report": {"exercise": "04.1", "status": "failing", "check": "it whispers"}}
NOT_READY = {"doctor": {"ready": False, "problems": ["FAIL  redis: refused", "warn  python 3.10"]}}


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


def send(room, token: str, *frames: object) -> list[dict]:
    """Each frame over one student socket, after the token; the answer to each."""
    url = room.server.http_url
    with connect(f"ws{url.removeprefix('http')}/ws/workshop/student/", origin=url, open_timeout=FRAME) as ws:
        ws.send(json.dumps({"token": token}))
        assert "joined" in json.loads(ws.recv(timeout=FRAME))
        answers = []
        for frame in frames:
            ws.send(json.dumps(frame))
            answers.append(json.loads(ws.recv(timeout=FRAME)))
        return answers


def thirty(room) -> dict[str, str]:
    """Thirty students joined and at work, once a module: hands up, failures, a doctor not ready."""
    if not hasattr(room, "tokens"):
        room.tokens = {name: join(room, name, n) for n, name in enumerate(NAMES, start=2)}
        for i, token in enumerate(room.tokens.values()):
            frames = [PASSED] + [TICKS] * (i % 6 == 0) + [WHISPERS] * (i % 5 == 1)
            frames += [{"help": True}] * (i in (4, 11)) + [NOT_READY] * (i == 7)
            assert all("ok" in answer for answer in send(room, token, *frames))
    return room.tokens


def wait_until(browser, script: str, *args) -> object:
    """The first true value the page's script returns, waiting up to CONDITION for it."""
    return WebDriverWait(browser, CONDITION, poll_frequency=0.05).until(lambda _: browser.execute_script(script, *args))


ROOMS_DRAWN = "return Number(document.getElementById('workshop-room').dataset.rooms)"
ALL_THIRTY = "return document.querySelectorAll('#tiles li.tile').length >= 30"
# Each student's tile and each line of "Needs help" that is not wholly on the screen.
OFF_SCREEN = """
const parts = [...document.querySelectorAll("#tiles li.tile, #help-list > li, #help-heading, .room-head")];
return parts.filter((node) => {
  const box = node.getBoundingClientRect();
  return box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth;
}).map((node) => node.textContent.slice(0, 40));
"""


def test_thirty_students_and_who_needs_help_fit_one_1280x800_screen(served_room, browser, tmp_path):
    thirty(served_room)
    with viewport(browser, 1280, 800):
        log_in(browser, served_room.server)
        wait_until(browser, ALL_THIRTY)
        wait_until(browser, "return document.querySelectorAll('#help-list li.hand').length === 2")
        browser.save_screenshot(os.environ.get("WORKSHOP_SCREENSHOT") or str(tmp_path / "room-1280x800.png"))
        assert browser.execute_script(OFF_SCREEN) == []


def test_needs_help_lists_hands_first_then_the_failures_and_says_on_demand(served_room, browser):
    thirty(served_room)
    log_in(browser, served_room.server)
    wait_until(browser, ALL_THIRTY)
    kinds = browser.execute_script("return [...document.querySelectorAll('#help-list > li')].map((li) => li.className)")
    assert kinds[:2] == ["hand", "hand"] and "stuck" in kinds and "doctor" in kinds
    browser.execute_script("document.querySelector('#help-list li.stuck summary').click()")
    assert SAYS in browser.execute_script(
        "return document.querySelector('#help-list li.stuck details[open]').textContent"
    )


def test_an_opened_what_it_says_stays_open_across_the_refresh(served_room, browser):
    thirty(served_room)
    log_in(browser, served_room.server)
    wait_until(browser, ALL_THIRTY)
    browser.execute_script("document.querySelector('#help-list li.stuck summary').click()")
    drawn = browser.execute_script(ROOMS_DRAWN)
    wait_until(browser, f"return {ROOMS_DRAWN.removeprefix('return ')} > {drawn}")  # the 5 s refresh came
    assert browser.execute_script("return document.querySelectorAll('#help-list details[open]').length") == 1


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_axe_core_finds_no_serious_or_critical_violation_on_the_room(served_room, browser, width, height):
    thirty(served_room)
    with audited(browser, width, height):
        log_in(browser, served_room.server)
        wait_until(browser, ALL_THIRTY)
        violations = browser.execute_async_script(RUN_AXE)
    assert [v for v in violations if v[1] in ("serious", "critical")] == []
