"""Lesson 17 on a real server: `make workshop`'s script (workshop/serve.py) serving a room from a fresh
database, an instructor who opened it and logs in, students who join over HTTP and report over a real
socket; a report answered `ok` is in room.json, and every status is still there after the server restarts.

One room serves the whole module (served_room): each test joins students of its own.
How soon a report reaches the instructor is bench/speed/workshop.py's figure, not a stopwatch here."""

import asyncio
import json
import urllib.error
import urllib.request

import pytest

from harness.patience import FRAME
from harness.servers import ServerProcess
from tests.helpers.workshop_server import instructor, join, room_json, serve
from workshop.network import lan_address

pytestmark = pytest.mark.slow
REPORT = {"report": {"exercise": "04.2", "status": "failing", "check": "a socket that leaves is removed"}}


async def report(server: ServerProcess, token: str, frame: dict) -> None:
    """One student's socket, with its Origin: the token, then `frame`, answered ok."""
    from websockets.asyncio.client import connect

    async with connect(server.ws_url("ws/workshop/student/"), origin=server.http_url, open_timeout=FRAME) as socket:
        await socket.send(json.dumps({"token": token}))
        assert "joined" in json.loads(await asyncio.wait_for(socket.recv(), FRAME))
        await socket.send(json.dumps(frame))
        assert json.loads(await asyncio.wait_for(socket.recv(), FRAME)) == {"ok": next(iter(frame))}


def entry(browser, server: ServerProcess, name: str) -> dict:
    """`name`'s row of room.json."""
    [student] = [student for student in room_json(browser, server)["students"] if student["name"] == name]
    return student


async def test_a_report_answered_ok_over_a_real_socket_is_in_room_json(served_room):
    server = served_room.server
    browser, token = instructor(server), join(server, served_room.code, "alice")
    await report(server, token, REPORT)  # answered `ok`: the room saved it before it answered
    assert entry(browser, server, "alice")["exercises"]["04.2"]["check"] == "a socket that leaves is removed"
    assert served_room.code not in server.log() and token not in server.log()  # no secret in the access log


async def test_a_restarted_server_keeps_every_status_and_every_token(served_room):
    tokens = {name: join(served_room.server, served_room.code, name) for name in ("bob", "carol")}
    await report(served_room.server, tokens["bob"], REPORT)
    await report(served_room.server, tokens["carol"], {"report": {"exercise": "01.1", "status": "passing"}})
    await report(served_room.server, tokens["carol"], {"help": True})
    before = room_json(instructor(served_room.server), served_room.server)
    served_room.server.stop()
    served_room.server = serve(
        served_room.env, served_room.port
    )  # the same key (SECRET_KEY) and database: as after a crash
    after = room_json(instructor(served_room.server), served_room.server)
    assert [(s["name"], s["exercises"], s["hand"]) for s in after["students"]] == [
        (s["name"], s["exercises"], s["hand"]) for s in before["students"]
    ]
    await report(served_room.server, tokens["bob"], {"report": {"exercise": "04.2", "status": "passing"}})
    assert entry(instructor(served_room.server), served_room.server, "bob")["exercises"]["04.2"]["status"] == "passing"


async def test_the_room_serves_no_demo_hazard_and_its_own_static_files(served_room):
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    server = served_room.server
    with pytest.raises(InvalidStatus) as refused:
        await connect(server.ws_url("ws/sync/slow/"), origin=server.http_url, open_timeout=FRAME)
    assert refused.value.response.status_code == 403  # DEBUG off: the hazard demos are not routed
    for path in ("static/workshop/room.js", "static/workshop/room.css", "static/course/style.css"):
        assert urllib.request.urlopen(f"{server.http_url}/{path}", timeout=FRAME).status == 200
    assert "createsuperuser" in served_room.first_log  # no staff account yet: the instructor is told how
    for host, status in ((f"{lan_address()}:{served_room.port}", 200), ("evil.example", 400)):
        request = urllib.request.Request(f"{server.http_url}/", headers={"Host": host})
        try:
            answer = urllib.request.urlopen(request, timeout=FRAME).status
        except urllib.error.HTTPError as error:
            answer = error.code
        assert answer == status, host  # this machine's LAN address is an allowed host; others are not
