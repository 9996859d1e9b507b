"""Lesson 17's page in a real Chromium: joins, leaves and closes shown as they happen, and no frame breaks it.

The room is served as `make workshop` serves it, with thirty students at work
(tests/test_17/test_glance_slow.py's thirty()). A join, a leave and a close each
show on the page as an event, awaited (how soon is bench/'s to measure, not a
test's). Every field of every frame a student may send, planted with every JSON
type, leaves every student listed: over a real socket, where the server refuses
or trims it; and straight into room.js, through a stand-in WebSocket that hands
the page each planted frame, as a server that let one through would.
"""

import copy
import http.client
import json

import pytest

from harness.patience import FRAME
from tests.helpers.workshop_server import log_in, manage
from tests.test_17.test_glance_slow import ALL_THIRTY, JSON_VALUES, NAMES, join, send, thirty, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser]
NEWS = "return document.getElementById('room-news').textContent"
TILES = "return [...document.querySelectorAll('#tiles li.tile')].map((li) => li.dataset.name)"
GOOD_FRAMES = {
    "report": {"exercise": "02.1", "status": "failing", "check": "it ticks", "says": "no tick"},
    "doctor": {"ready": False, "problems": ["FAIL  redis"], "python": "3.12.1", "django": "5.2.19"},
    "share": {"exercise": "01.1", "path": "echo.py", "code": "x = 1\n"},
}
# Whatever throws on the page, kept: room.js must never add to it.
ERRORS = "window.pageErrors = []; addEventListener('error', (event) => window.pageErrors.push(String(event.message)));"


def leave(room, token: str) -> tuple[int, dict]:
    """POST /workshop/leave/ with the token, as `workshop leave` does; the status and the answer."""
    connection = http.client.HTTPConnection("127.0.0.1", room.port, timeout=FRAME)
    try:
        connection.request("POST", "/workshop/leave/", json.dumps({"token": token}))
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def test_a_join_then_a_leave_show_on_the_page_as_events(served_room, browser):
    thirty(served_room)
    log_in(browser, served_room.server)
    wait_until(browser, ALL_THIRTY)
    token = join(served_room, "Late Lin", 40)
    wait_until(browser, f"{NEWS}.startsWith('Late Lin joined')")
    assert "Late Lin" in browser.execute_script(TILES)
    assert leave(served_room, token) == (200, {"left": "Late Lin"})
    wait_until(browser, f"{NEWS}.startsWith('Late Lin left')")
    assert "Late Lin" not in browser.execute_script(TILES)


def test_any_json_value_in_any_field_of_any_frame_leaves_every_student_listed(served_room, browser):
    tokens = list(thirty(served_room).values())
    planted = [
        {kind: good | {field: value}} for kind, good in GOOD_FRAMES.items() for field in good for value in JSON_VALUES
    ]
    planted += [{kind: value} for kind in ("help", "here", *GOOD_FRAMES) for value in JSON_VALUES if value is not True]
    answers = []
    for number, token in enumerate(tokens):  # a few frames a student: each is judged, none is over the rate limit
        answers += send(served_room, token, *planted[number :: len(tokens)])
    assert all(list(answer) in (["ok"], ["error"]) for answer in answers)
    assert not [answer for answer in answers if "slow down" in answer.get("error", "")]
    log_in(browser, served_room.server)
    wait_until(browser, ALL_THIRTY)
    assert set(NAMES) <= set(browser.execute_script(TILES))


def entry(name: str) -> dict:
    """One student as room.json has them, every field filled."""
    result = {"status": "failing", "check": "it ticks", "says": "no tick", "changed": "2026-11-26T10:00:00+00:00"}
    return {
        "name": name,
        "online": True,
        "last_seen": "2026-11-26T10:00:00+00:00",
        "last_report": "2026-11-26T10:00:00+00:00",
        "message_seen": 0,
        "exercises": {"02.1": result},
        "doctor": {"ready": False, "problems": ["FAIL  redis"], "python": "3.12.1", "django": "5.2.19"},
        "hand": True,
        "hand_since": "2026-11-26T10:00:00+00:00",
        "shared": ["01.1"],
    }


def planted_entries() -> list[dict]:
    """A student for each field of an entry (nested ones too) and each JSON value in it."""
    paths = [[key] for key in entry("x")] + [["exercises", "02.1"], ["doctor", "problems", 0]]
    paths += [["exercises", "02.1", key] for key in entry("x")["exercises"]["02.1"]]
    paths += [["doctor", key] for key in entry("x")["doctor"]]
    entries = []
    for number, (path, value) in enumerate((path, value) for path in paths for value in JSON_VALUES):
        planted = entry(f"planted {number}")
        *parents, last = path
        holder = planted
        for key in parents:
            holder = holder[key]
        holder[last] = copy.deepcopy(value)
        entries.append(planted)
    return entries


def test_room_js_given_every_field_with_every_json_value_lists_every_student(served_room, browser):
    good = [entry(name) for name in NAMES]
    planted = planted_entries()
    view = {"workshop": {"open": True, "opened": None}, "messages": [], "active_minutes": 5}
    piece = {"students": good + planted, "last": True}
    frames = [{"view": view}, {"piece": piece}]
    frames += [{kind: value} for kind in ("view", "piece", "student", "left", "message") for value in JSON_VALUES]
    frames += [frame for value in JSON_VALUES for frame in ({"view": view | {"workshop": value}}, {"piece": piece})]
    frames += [{"view": view | {"messages": [value], "active_minutes": value}} for value in JSON_VALUES]
    frames += [{"piece": {"students": value, "last": False}} for value in JSON_VALUES]
    frames += [{"piece": {"students": [value], "last": value}} for value in JSON_VALUES]
    frames += [{"view": view}, {"piece": piece}]  # the last view: every good and planted student
    frames += [{"student": student | {"part": True}} for student in planted[:20]]
    frames += [{"student": student} for student in planted] + ["not json", "[]", "null"]
    # A stand-in WebSocket, made before room.js runs: it opens, then hands the page each frame.
    fake = f"""{ERRORS}
    const frames = {json.dumps([frame if isinstance(frame, str) else json.dumps(frame) for frame in frames])};
    class PlantedSocket extends EventTarget {{
      constructor() {{ super(); this.readyState = 1; setTimeout(() => {{
        this.dispatchEvent(new Event("open"));
        for (const data of frames) this.dispatchEvent(new MessageEvent("message", {{ data }}));
        window.planted = true;
      }}); }}
      send() {{}}
      close() {{}}
    }}
    PlantedSocket.OPEN = 1;
    window.WebSocket = PlantedSocket;"""
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": fake})
    try:
        log_in(browser, served_room.server)
        wait_until(browser, "return window.planted === true")
        shown = browser.execute_script(TILES)
        errors = browser.execute_script("return window.pageErrors")
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", script)
    named = [student["name"] for student in planted if isinstance(student["name"], str) and student["name"]]
    assert errors == []
    assert sorted(shown) == sorted(NAMES + named)


def test_a_close_shows_on_the_page_with_the_time_it_closed(served_room, browser):
    thirty(served_room)
    log_in(browser, served_room.server)
    wait_until(browser, ALL_THIRTY)
    manage(served_room.env, "workshop", "close")  # another process: the page hears it at its next look
    wait_until(browser, f"{NEWS}.startsWith('The workshop closed')")
    assert "closed since" in browser.execute_script("return document.getElementById('room-summary').textContent")
