"""The inspector under a flood, on a real Daphne: bounded, says what it dropped, and other sockets carry on."""

import asyncio
import json
import secrets
import time

import pytest
from websockets.asyncio.client import connect

from course.inspector import LISTENER_EVENTS
from harness.patience import FRAME

pytestmark = pytest.mark.slow


def origin_of(ws_url: str) -> str:
    """The Origin a page of that server sends: the origin check wants its very port."""
    return "http" + ws_url.split("/ws/", 1)[0].removeprefix("ws")


async def round_trips(url: str, count: int) -> list[float]:
    """Seconds each of `count` echoes took on a fresh, uninspected socket."""
    times = []
    async with connect(url, origin=origin_of(url)) as ws:
        for number in range(count):
            started = time.perf_counter()
            await ws.send(str(number))
            await ws.recv()
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)
    return times


async def flood(url: str) -> None:
    """A 1 MiB frame, then 1,000 small frames over about a second, echoes read as they come."""
    async with connect(url, origin=origin_of(url), max_size=None) as ws:

        async def read_all():
            for _ in range(1001):
                await ws.recv()

        reader = asyncio.create_task(read_all())
        await ws.send("x" * 2**20)
        for number in range(1000):
            await ws.send(str(number))
            if number % 10 == 0:
                await asyncio.sleep(0.01)
        await reader


async def test_a_page_flooding_its_inspected_socket_does_not_hold_up_another_socket(inspected_server):
    page = secrets.token_urlsafe(16)
    async with connect(
        inspected_server.ws_url(f"ws/inspector/{page}/"), origin=inspected_server.http_url, max_size=None
    ) as panel:
        others = asyncio.create_task(round_trips(inspected_server.ws_url("ws/async/echo/"), 20))
        started = time.perf_counter()
        await flood(inspected_server.ws_url(f"ws/async/echo/?inspect={page}"))
        flood_seconds = time.perf_counter() - started
        slowest = max(await others)
        batches = []
        while not any(e["label"].startswith("StopConsumer") for batch in batches for e in batch["events"]):
            batches.append(json.loads(await asyncio.wait_for(panel.recv(), FRAME)))
    # Held up, an echo waits out the flood's inspection: about as long as the flood itself. Not held up, the
    # slowest took 0.09-0.23 s of a 1.1-1.8 s flood alone here, quiet or beside a busy loop, and 1.06 s in a CI
    # run beside one on a 2-core machine (where a bound of 1 s failed it): both measured in this run, on the same
    # machine under the same load, so the ratio holds however slow or busy the machine is.
    assert slowest < flood_seconds / 2, f"an uninspected echo took {slowest:.2f} s of a {flood_seconds:.2f} s flood"
    assert all(len(batch["events"]) <= LISTENER_EVENTS for batch in batches)
    # Nothing vanishes unsaid: each of the 1,001 frames and its echo (the page's only inspected
    # socket) is shown or counted as dropped. How many are dropped depends on the machine's speed: a
    # busy one may keep up with none; tests/course/test_inspector.py drops for sure (Listener).
    shown = sum(len(batch["events"]) for batch in batches)
    assert shown + sum(batch["dropped"] for batch in batches) >= 2 * 1001
    assert all(len(json.dumps(batch)) < 200_000 for batch in batches)
