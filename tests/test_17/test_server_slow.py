"""Lesson 17 on a real server: `make workshop`'s script (workshop/serve.py) serving a room from a fresh
database, an instructor who opened it and logs in, a student who joins over HTTP and reports over a real
socket; the report in room.json within 2 s, and every status still there after the server restarts."""

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import pytest

from harness.servers import ServerProcess, free_fixed_port
from tests.helpers.workshop_server import PASSWORD, make_room_env, open_room, serve
from workshop.network import lan_address

pytestmark = pytest.mark.slow
REPORT = {"report": {"exercise": "04.2", "status": "failing", "check": "a socket that leaves is removed"}}


def instructor(server: ServerProcess) -> urllib.request.OpenerDirector:
    """A browser logged in as the staff user `teacher` through the login page, CSRF token and all."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = browser.open(f"{server.http_url}/accounts/login/", timeout=5).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = f"csrfmiddlewaretoken={csrf}&username=teacher&password={PASSWORD}&next=/workshop/".encode()
    assert browser.open(f"{server.http_url}/accounts/login/", form, timeout=5).url.endswith("/workshop/")
    return browser


def room_json(browser, server: ServerProcess) -> dict:
    return json.loads(browser.open(f"{server.http_url}/workshop/room.json", timeout=5).read())


def join(server: ServerProcess, code: str, name: str) -> str:
    """POST /workshop/join/ as a student's checkout does; the token."""
    body = json.dumps({"code": code, "name": name}).encode()
    request = urllib.request.Request(f"{server.http_url}/workshop/join/", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 201
        return json.loads(answer.read())["token"]


async def report(server: ServerProcess, token: str, frame: dict) -> None:
    """One student's socket, with its Origin: the token, then `frame`, answered ok."""
    from websockets.asyncio.client import connect

    async with connect(server.ws_url("ws/workshop/student/"), origin=server.http_url) as socket:
        await socket.send(json.dumps({"token": token}))
        assert "joined" in json.loads(await asyncio.wait_for(socket.recv(), 5))
        await socket.send(json.dumps(frame))
        assert json.loads(await asyncio.wait_for(socket.recv(), 5)) == {"ok": next(iter(frame))}


async def test_a_report_over_a_real_socket_is_in_room_json_within_2_s(tmp_path):
    room_env = make_room_env(tmp_path)
    port = free_fixed_port()
    server = serve(room_env, port)
    try:
        code = open_room(room_env, port)
        browser, token = instructor(server), join(server, code, "alice")
        sent = time.monotonic()
        await report(server, token, REPORT)
        while not (students := room_json(browser, server)["students"])[0]["exercises"]:
            assert time.monotonic() - sent < 2, "the contract: in room.json within 2 s of the run"
            await asyncio.sleep(0.02)
        assert students[0]["exercises"]["04.2"]["check"] == "a socket that leaves is removed"
        assert code not in server.log() and token not in server.log()  # no secret in the access log
    finally:
        server.stop()


async def test_a_restarted_server_keeps_every_status_and_every_token(tmp_path):
    room_env = make_room_env(tmp_path)
    port = free_fixed_port()
    server = serve(room_env, port)
    try:
        code = open_room(room_env, port)
        tokens = {name: join(server, code, name) for name in ("alice", "bob")}
        await report(server, tokens["alice"], REPORT)
        await report(server, tokens["bob"], {"report": {"exercise": "01.1", "status": "passing"}})
        await report(server, tokens["bob"], {"help": True})
        before = room_json(instructor(server), server)
        server.stop()
        server = serve(room_env, port)  # the same key (SECRET_KEY) and database: as after a crash
        after = room_json(instructor(server), server)
        assert [(s["name"], s["exercises"], s["hand"]) for s in after["students"]] == [
            (s["name"], s["exercises"], s["hand"]) for s in before["students"]
        ]
        await report(server, tokens["alice"], {"report": {"exercise": "04.2", "status": "passing"}})
        assert room_json(instructor(server), server)["students"][0]["exercises"]["04.2"]["status"] == "passing"
    finally:
        server.stop()


async def test_the_room_serves_no_demo_hazard_and_its_own_static_files(tmp_path):
    room_env = make_room_env(tmp_path)
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    port = free_fixed_port()
    server = serve(room_env, port)
    try:
        with pytest.raises(InvalidStatus) as refused:
            await connect(server.ws_url("ws/sync/slow/"), origin=server.http_url)
        assert refused.value.response.status_code == 403  # DEBUG off: the hazard demos are not routed
        for path in ("static/workshop/room.js", "static/workshop/room.css", "static/course/style.css"):
            assert urllib.request.urlopen(f"{server.http_url}/{path}", timeout=5).status == 200
        assert "createsuperuser" in server.log()  # no staff account yet: the instructor is told how
        for host, status in ((f"{lan_address()}:{port}", 200), ("evil.example", 400)):
            request = urllib.request.Request(f"{server.http_url}/", headers={"Host": host})
            try:
                answer = urllib.request.urlopen(request, timeout=5).status
            except urllib.error.HTTPError as error:
                answer = error.code
            assert answer == status, host  # this machine's LAN address is an allowed host; others are not
    finally:
        server.stop()
