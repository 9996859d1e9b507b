"""Lesson 17's page past 1 MiB, in a real Chromium through the real Daphne: drawn, and every piece received.

Daphne sends no WebSocket message over 1 MiB. Sixty students, each with a status for every exercise
of the catalogue and the longest check name and *What it says* line a report may carry, are honest
statuses and over 2 MB of room. One student sends theirs as `exercise` does, over a real socket and
within the rate limit; the room's database then gives the same rows to the 59 others who joined (3,480
reports through one Daphne's one database thread took minutes beside other work, and prove nothing
more). Then the instructor opens the page. A stand-in WebSocket, made before room.js runs, measures
each frame the page receives: none near the limit, all of them drawn.
"""

import json
import sqlite3
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from harness.patience import FRAME
from harness.servers import REPO_DIR
from tests.helpers.workshop_server import log_in
from tests.test_17.test_glance_slow import join, send, wait_until
from workshop import limits
from workshop.pieces import PIECE_BYTES

pytestmark = [pytest.mark.slow, pytest.mark.browser]
MIB = 1024 * 1024
CATALOGUE = sorted(
    "{}.{}".format(*Path(folder).parent.name.split("_")[:2])
    for folder in REPO_DIR.glob("exercises/*_*_*/exercise.toml")
)
# Each frame the page receives, measured before room.js reads it; and how many sockets it opened.
MEASURED = """
window.frameBytes = [];
const Original = window.WebSocket;
window.WebSocket = class extends Original {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => window.frameBytes.push(new TextEncoder().encode(event.data).length));
  }
};
"""
ROOM = "document.getElementById('workshop-room').dataset"
DRAWN = "return [document.querySelectorAll('#tiles li.tile').length, document.querySelectorAll('#tiles .card .exercises li').length]"


def report_everything(room, token: str, n: int) -> None:
    """A status for every exercise of the catalogue, as long as a report may be, within the student's rate limit."""
    url = room.server.http_url
    ws_url = f"ws{url.removeprefix('http')}/ws/workshop/student/"
    with connect(ws_url, origin=url, open_timeout=FRAME, source_address=(f"127.0.0.{n}", 0)) as ws:
        ws.send(json.dumps({"token": token}))
        assert "joined" in json.loads(ws.recv(timeout=FRAME))
        for exercise in CATALOGUE:
            report = {"exercise": exercise, "status": "failing", "check": f"{exercise} " + "c" * 194, "says": "s" * 300}
            while "ok" not in (answer := send_one(ws, {"report": report})):
                assert answer == {"error": "too many frames: slow down"}, answer
                time.sleep(1 / limits.RATE)  # the bucket's pace: one frame more is due, never a race opened


def copied_to_the_others(room, name: str) -> None:
    """Every status `name` reported, given to each other student of the room (in the room's own database)."""
    with sqlite3.connect(room.env["DATABASE_URL"].removeprefix("sqlite:///")) as database:
        database.execute(
            """INSERT INTO workshop_status (student_id, exercise, status, failed_check, says, changed_at)
               SELECT other.id, status.exercise, status.status, status.failed_check, status.says, status.changed_at
               FROM workshop_status status JOIN workshop_student reporter ON status.student_id = reporter.id
               JOIN workshop_student other ON other.workshop_id = reporter.workshop_id AND other.id != reporter.id
               WHERE reporter.name = ?""",
            (name,),
        )


def send_one(ws, frame: dict) -> dict:
    ws.send(json.dumps(frame))
    return json.loads(ws.recv(timeout=FRAME))


def test_a_room_past_one_mebibyte_stays_drawn_and_every_piece_arrives(served_room, browser):
    tokens = [join(served_room, f"student {n:02}", n) for n in range(2, 62)]
    report_everything(served_room, tokens[0], 2)
    copied_to_the_others(served_room, "student 02")
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": MEASURED})
    try:
        log_in(browser, served_room.server)
        wait_until(browser, f"return {DRAWN.removeprefix('return ')}[1] === {60 * len(CATALOGUE)}")
        send(served_room, tokens[0], {"help": True}, n=2)  # and the page, drawn, goes on hearing the room
        wait_until(browser, "return document.querySelectorAll('#help-list li.hand').length === 1")
        room_bytes = browser.execute_async_script(
            "fetch('/workshop/room.json').then((r) => r.arrayBuffer()).then((body) => arguments[0](body.byteLength))"
        )
        frames = browser.execute_script("return window.frameBytes")
        drawn = browser.execute_script(DRAWN)
        connections = browser.execute_script(f"return {ROOM}.connections")
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", script)
    assert room_bytes > MIB and len(CATALOGUE) >= 50
    assert drawn == [60, 60 * len(CATALOGUE)] and connections == "1"  # drawn once, never a reconnect
    assert max(frames) <= PIECE_BYTES and sum(frames) > MIB
