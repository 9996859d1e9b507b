"""Lesson 17 on a real server: one student sends 1,000 share frames of a few KB each (issue 49's flood).

The room stays as it was: Daphne's memory grows by a few MB at most, the database keeps at most
SHARES_KEPT of that student's shares (workshop/room.py), room.json names the shared exercises but
carries none of their code, and another student's report is still answered `ok`. How long that
report took is printed (pytest -s shows it), never asserted: speed is bench/'s, not a verdict here.

The room's own defences both act: the student's rate limit (workshop/limits.py) refuses most of a
flood, and closes the socket with 4429 after 100 refusals (the flooding client opens another);
the first SHARES_KEPT + 10 shares are paced to the limit, so the bound on what is kept is reached
whatever the machine's speed.
"""

import asyncio
import json
import sqlite3
import time
from collections import Counter

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.hostile.run import settled_rss_mb
from harness.patience import FRAME
from tests.helpers.workshop_server import instructor, join, room_json
from workshop import limits
from workshop.frames import catalogue
from workshop.room import SHARES_KEPT
from workshop.student_socket import SLOW_DOWN, TOO_MANY

pytestmark = pytest.mark.slow
SHARES = 1000
PACED = SHARES_KEPT + 10  # shares saved at the limit's pace before the flood runs free
MARKER = "a_line_of_the_file_alice_shares"
CODE = f"{MARKER} = 'over and over, so the file is a few KB'\n" * 60  # 4,020 bytes
REPORT = {"report": {"exercise": "04.2", "status": "failing", "check": "a socket that leaves is removed"}}


def share(number: int) -> dict:
    """Share number `number`: the course's exercises in turn (the room takes no other id), so the first 58 differ."""
    ids = sorted(catalogue())
    return {"share": {"exercise": ids[number % len(ids)], "path": "exercises/mine.py", "code": CODE}}


async def student(server, token: str, address: str = "127.0.0.1"):
    """A student's socket past its token, from `address` (loopback: 127.0.0.x is this machine too)."""
    url, local = server.ws_url("ws/workshop/student/"), (address, 0)
    socket = await connect(url, origin=server.http_url, open_timeout=FRAME, local_addr=local)
    await socket.send(json.dumps({"token": token}))
    assert "joined" in json.loads(await asyncio.wait_for(socket.recv(), FRAME))
    return socket


async def reported_in(server, token: str) -> float:
    """One report of another student, from another laptop (address), answered ok; the seconds it took (recorded only)."""
    socket = await student(server, token, "127.0.0.3")  # alice's address has a budget of its own (workshop/limits.py)
    try:
        started = time.monotonic()
        await socket.send(json.dumps(REPORT))
        assert json.loads(await asyncio.wait_for(socket.recv(), FRAME)) == {"ok": "report"}
        return time.monotonic() - started
    finally:
        await socket.close()


async def flood(server, token: str) -> Counter:
    """SHARES share frames from one student, each answer read; a socket closed with 4429 is replaced by another."""
    sent, counted = 0, Counter()
    while sent < SHARES:
        socket = await student(server, token)
        try:
            while sent < SHARES:
                await socket.send(json.dumps(share(sent)))
                sent += 1
                answer = json.loads(await asyncio.wait_for(socket.recv(), FRAME))
                if answer == {"ok": "share"}:
                    counted["saved"] += 1
                    continue
                assert answer == {"error": SLOW_DOWN}, answer
                counted["refused"] += 1
                if counted["saved"] < PACED:
                    await asyncio.sleep(1 / limits.RATE)  # one token's refill: pacing the sender, not a deadline
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == TOO_MANY, closed
            counted["closed 4429"] += 1
        finally:
            await socket.close()
    return counted


def shares_kept(env: dict) -> int:
    """Rows in the room's share table, read from its SQLite file."""
    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as database:
        return database.execute("SELECT COUNT(*) FROM workshop_share").fetchone()[0]


async def test_a_thousand_shares_leave_memory_table_and_another_report_as_they_were(served_room):
    server = served_room.server
    alice, bob = (join(server, served_room.code, name) for name in ("alice", "bob"))
    seconds = {"before": await reported_in(server, bob)}  # every code path warmed before memory is measured
    before = settled_rss_mb(server.pid)

    flooded, during = await asyncio.gather(flood(server, alice), reported_in(server, bob))
    seconds |= {"during": during, "after": await reported_in(server, bob)}
    grown = settled_rss_mb(server.pid) - before
    print(f"bob's report took {seconds} s; Daphne grew {grown:.1f} MB; alice's shares: {dict(flooded)}")

    assert flooded["saved"] > SHARES_KEPT, flooded  # the bound was reached, so the table proves it holds
    kept = shares_kept(served_room.env)
    assert kept <= SHARES_KEPT, f"the room kept {kept} of one student's shares"
    # 1,000 shares of 4 KB kept in memory would be 4 MB of code alone, far more as Python objects and
    # JSON; before the bounds, 1,056 shares grew the server from 133 to 528 MB.
    assert grown < 30, f"Daphne grew by {grown:.1f} MB for {SHARES} shares"
    browser = instructor(server)
    [entry] = [s for s in room_json(browser, server)["students"] if s["name"] == "alice"]
    assert 1 <= len(entry["shared"]) <= SHARES_KEPT  # the page lists what is kept, never more
    page = browser.open(f"{server.http_url}/workshop/room.json", timeout=FRAME).read().decode()
    assert MARKER not in page  # a shared file's code is loaded only when it is opened
