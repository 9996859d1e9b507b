"""Lesson 17 on a real server, beside a CPU hog: one address floods, another student's report stays under 0.2 s.

The room is served as the lesson recommends (`make workshop`: behind nginx where it is installed, else
Daphne alone through workshop/gate.py). The flooder is ten names joined from one laptop (127.0.0.2:
loopback, but an address of its own), three sockets each, each sending its next frame as soon as the
last is answered: reports of the course's exercises and of ids it is not, 4 KB shares, doctor verdicts,
hands; a socket closed 4429 opens again at once. The instructor's page is open (a staff socket, read all
along). Once the flood has had its address's burst, bob, on another laptop (127.0.0.3), runs his report
again and again as `exercise` does (a socket, his token, `joined`, the report, its `ok`), a few a second,
within his own budget. The hog is one busy loop per core, as `make test-busy` runs the suite beside
(harness/busy.py). The flooder runs in a process of its own, as on a laptop of its own: bob's client
shares no event loop with it.

The contract: bob's report within 0.2 s, times COURSE_PATIENCE (harness/patience.py), the one setting
with which a slower or busier machine widens every deadline of the course. And the flooder's address
saved no more than its budget lets through (workshop/limits.py).
"""

import asyncio
import contextlib
import json
import multiprocessing
import os
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from harness.busy import cores, spin
from harness.patience import COMMAND, FRAME, SERVER_STOP, patient
from tests.helpers.workshop_server import join
from workshop import limits
from workshop.frames import catalogue

pytestmark = pytest.mark.slow
FLOODER, BOB = "127.0.0.2", "127.0.0.3"
NAMES, SOCKETS_EACH, REPORTS = 10, 3, 40
PACE = 1.5 / limits.RATE  # seconds between two of bob's reports: well within his own budget
REPORT_WITHIN = patient(0.2)  # the contract's "under 0.2 s"; COURSE_PATIENCE widens it on a slower machine
# Where bob alone beside the hog already takes over 0.1 s (a load of 30 and more on 2 cores: CI's other tests), the
# flood may cost him no more than that again: the verdict is the flood's effect, not the machine's speed.
FLOOD_COSTS_AT_MOST = 2
CODE = "x = 'a line of the shared file'\n" * 130  # 4 KB


def flood_frames(n: int) -> str:
    """The n-th frame of the flood: every kind the socket takes, ids of the course and ids it is not."""
    ids = sorted(catalogue())
    kind = n % 5
    if kind == 0:
        return json.dumps({"report": {"exercise": ids[n % len(ids)], "status": "failing", "check": "x" * 200}})
    if kind == 1:
        return json.dumps({"report": {"exercise": f"{n % 100:02d}.{n % 10}", "status": "passing"}})
    if kind == 2:
        return json.dumps({"share": {"exercise": ids[n % len(ids)], "path": "exercises/x.py", "code": CODE}})
    if kind == 3:
        return json.dumps({"doctor": {"ready": False, "problems": ["FAIL  " + "y" * 290] * 20}})
    return json.dumps({"help": n % 2 == 0})


async def socket_from(server, address: str, token: str):
    """A student socket from `address`, past its token; None when the room closes it (its budget is out)."""
    url = server.ws_url("ws/workshop/student/")
    socket = await connect(url, origin=server.http_url, open_timeout=FRAME, local_addr=(address, 0))
    await socket.send(json.dumps({"token": token}))
    try:
        assert "joined" in json.loads(await asyncio.wait_for(socket.recv(), FRAME))
    except ConnectionClosed:
        return None
    return socket


async def flood(server, token: str, stop: asyncio.Event, counted: Counter, held: asyncio.Event) -> None:
    """One of the flooder's sockets: each frame sent as soon as the last is answered; opened again once closed."""
    n = 0
    while not stop.is_set():
        try:
            socket = await socket_from(server, FLOODER, token)
        except (InvalidStatus, OSError, TimeoutError):  # refused at the door (its connections per address)
            counted["refused at the door"] += 1
            continue
        if socket is None:
            counted["closed at the token"] += 1
            continue
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            while not stop.is_set():
                await socket.send(flood_frames(n))
                n += 1
                answer = json.loads(await asyncio.wait_for(socket.recv(), FRAME))
                counted["ok" if "ok" in answer else "refused"] += 1
                if counted["ok"] + counted["refused"] + counted["closed at the token"] >= limits.ADDRESS_BURST:
                    held.set()  # past the address's burst: the flood runs at its budget's rate now
        await socket.close()


async def staff_page(server, cookie: str, stop: asyncio.Event) -> None:
    """The instructor's page, open all along: every frame the room sends it, read."""
    url, headers = server.ws_url("ws/workshop/room/"), {"Cookie": cookie}
    async with connect(url, origin=server.http_url, additional_headers=headers, max_size=None) as page:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(page.recv(), 0.5)


async def bobs_reports(server, token: str, count: int) -> list[float]:
    """Bob's report, `count` times as `exercise` sends it: the seconds from opening the socket to its `ok`."""
    took, start = [], time.monotonic()
    for n in range(count):
        # A student's checks, one every PACE s: within his own budget (limits.RATE a second), as no class outruns it.
        await asyncio.sleep(max(0.0, start + n * PACE - time.monotonic()))
        began = time.monotonic()
        socket = await socket_from(server, BOB, token)
        report = {"report": {"exercise": "04.2", "status": "failing", "check": f"run {n}"}}
        await socket.send(json.dumps(report))
        assert json.loads(await asyncio.wait_for(socket.recv(), FRAME)) == {"ok": "report"}
        took.append(time.monotonic() - began)
        await socket.close()
    return took


def staff_cookie(server) -> str:
    from tests.helpers.workshop_server import instructor

    jar = instructor(server).handlers
    cookies = next(handler.cookiejar for handler in jar if hasattr(handler, "cookiejar"))
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in cookies)


async def flooding(server, tokens: list[str], cookie: str, stop, held) -> Counter:
    """The flooder's sockets and the instructor's page, until `stop` is set; `held` once the budget said no."""
    stopping, counted, spent = asyncio.Event(), Counter(), asyncio.Event()
    tasks = [asyncio.create_task(staff_page(server, cookie, stopping))]
    tasks += [asyncio.create_task(flood(server, token, stopping, counted, spent)) for token in tokens * SOCKETS_EACH]
    await spent.wait()
    held.set()
    await asyncio.to_thread(stop.wait)
    stopping.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return counted


def flooder(urls: tuple[str, str], tokens: list[str], cookie: str, stop, held, results) -> None:
    """The flooder's laptop: a process of its own, so bob's client shares no event loop with it."""
    server = SimpleNamespace(http_url=urls[0], ws_url=lambda path: urls[1] + path)
    results.put(dict(asyncio.run(flooding(server, tokens, cookie, stop, held))))


def flooded(server, tokens: list[str], bob: str, cookie: str) -> tuple[list[float], Counter, float]:
    """Bob's reports while the flood runs past its burst: their seconds, what the flood got, how long it ran."""
    stop, held, results = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Queue()
    urls = (server.http_url, server.ws_url(""))
    laptop = multiprocessing.Process(target=flooder, args=(urls, tokens, cookie, stop, held, results), daemon=True)
    began = time.monotonic()
    laptop.start()
    try:
        assert held.wait(COMMAND), "the flood never spent its burst"  # a flood, past what a class spends at once
        took = asyncio.run(bobs_reports(server, bob, REPORTS))
        stop.set()
        counted = Counter(results.get(timeout=COMMAND))
    finally:
        stop.set()
        laptop.join(SERVER_STOP)
        if laptop.is_alive():  # it failed before its burst was spent, and waits for that still
            laptop.terminate()
            laptop.join()
    return took, counted, time.monotonic() - began


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far (Linux's /proc; 0 elsewhere): what the flood cost the room."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def test_one_addresss_flood_leaves_another_report_under_0_2_s_beside_a_hog(served_room):
    server = served_room.server
    tokens = [join(server, served_room.code, f"flood{n}") for n in range(NAMES)]
    bob, cookie = join(server, served_room.code, "bob"), staff_cookie(server)
    hogs = [multiprocessing.Process(target=spin, daemon=True) for _ in range(cores())]
    for hog in hogs:
        hog.start()
    try:
        alone = asyncio.run(bobs_reports(server, bob, REPORTS // 2))  # the same hog, no flood: this machine now
        used = cpu_seconds(server.pid)
        took, counted, seconds = flooded(server, tokens, bob, cookie)
        used = cpu_seconds(server.pid) - used
    finally:
        for hog in hogs:
            hog.terminate()
            hog.join()
    said = f"bob's report beside the hog: median {median(alone):.3f} s (max {max(alone):.3f} s) alone, "
    said += f"{median(took):.3f} s (max {max(took):.3f} s) during the flood; the flood over {seconds:.1f} s: {dict(counted)}"
    said += f"; the room's process used {used:.1f} CPU-seconds meanwhile; load {os.getloadavg()[0]:.1f}"
    print(said)
    assert counted["ok"] > 0, "the flood saved nothing: the test proved nothing"
    assert counted["ok"] <= limits.ADDRESS_BURST + limits.ADDRESS_RATE * seconds  # no more than the address's budget
    within = max(REPORT_WITHIN, FLOOD_COSTS_AT_MOST * median(alone))
    assert median(took) < within, f"over {within:.3f} s (0.2 s, or twice bob's median alone; COURSE_PATIENCE): {said}"
