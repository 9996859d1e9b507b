"""Lesson 16 on a real Daphne under production settings: ten sockets from one address get no more
through any budgeted socket route than one address may (the routes: tests/helpers/routes.py's
BUDGETED, which tests/test_16/test_every_route_budgeted.py holds the routing to).

The flooder is 127.0.0.2 (bench/hostile/run.py's): loopback, but counted, as
CHAT_FLOOD_UNCOUNTED_NETWORKS leaves only 127.0.0.1 and ::1 out. Each socket is in a room of its own, so
every answer it reads is about its own frame; all ten send at once. The server: the `counted_server`
fixture (tests/fixtures/servers.py).
"""

import asyncio
import json
import time

import pytest
from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError

from harness.patience import FRAME
from harness.servers import DaphneServer
from tasks_demo.budget import MAX_IN_FLIGHT
from tests.helpers.routes import BUDGETED, held

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SOCKETS, FRAMES = 10, 150
# What one address may have through each route in a minute: the chat budget (CHAT_FLOOD_LIMIT_PER_ADDRESS,
# refilled as the run goes), worker jobs in flight (WORKER_JOBS_PER_CLIENT), logins (LOGIN_FAILURES_PER_ADDRESS),
# lesson 18's tasks in flight (MAX_IN_FLIGHT; no db_worker runs, so none finishes).
PER_ADDRESS = {"primes": 2, "login": 20, "tasks": MAX_IN_FLIGHT}


async def flooder(server: DaphneServer, route: str, n: int) -> int:
    """One socket from 127.0.0.2 sends FRAMES frames, each answered before the next: how many got through."""
    path = route.strip("^$").replace("<str:room>", f"flood{n}").replace("(?P<room>[^/]+)", f"flood{n}")
    frame, through = BUDGETED[route], 0
    async with connect(server.ws_url(path), origin=server.http_url, local_addr=("127.0.0.2", 0)) as socket:
        if "db/room" in path or frame == "direct":
            first = json.loads(await asyncio.wait_for(socket.recv(), FRAME))  # the history, or its address
            frame = json.dumps({"to": first["address"], "message": "flood"}) if frame == "direct" else frame
        for k in range(FRAMES if "login" not in path else 5):
            sent = frame.replace('"ada"', f'"nobody-{n}-{k}"')  # a name each: the address's limit, not a name's
            try:
                await socket.send(sent)
                error = json.loads(await asyncio.wait_for(socket.recv(), FRAME)).get("error", "")
            except ConnectionClosedError as cut:  # a frame budget closed the flood (ws/tasks/): nothing more gets in
                assert cut.rcvd is not None and cut.rcvd.code == 4429, cut
                break
            through += not held(error)
    return through


@pytest.mark.parametrize("route", [route for route in BUDGETED if route.lstrip("^").startswith("ws/")])
def test_ten_sockets_of_one_address_get_through_no_more_than_one_address_may(counted_server, route):
    async def attack() -> int:
        return sum(await asyncio.gather(*(flooder(counted_server, route, n) for n in range(SOCKETS))))

    began, window_began = time.monotonic(), time.time() // settings.LOGIN_FAILURE_WINDOW
    through = asyncio.run(attack())
    minutes = (time.monotonic() - began) / 60
    kind = next((kind for kind in PER_ADDRESS if kind in route), None)
    # A token bucket refills as the attack runs: 500 at once, then 500 a minute. Logins are counted in
    # fixed windows of LOGIN_FAILURE_WINDOW (auth_demo/throttle.py): an attack that spans a window's
    # end (on the wall clock, whatever the machine's speed) starts again from 0 in the next one.
    windows = 1 + int(time.time() // settings.LOGIN_FAILURE_WINDOW - window_began)
    allowed = (PER_ADDRESS[kind] * (windows if kind == "login" else 1)) if kind else 500 * (1 + minutes)
    assert through <= allowed, f"{through} of {SOCKETS * FRAMES} frames got through {route} from one address"
    assert through > 0, "the address got nothing through: the test proved nothing"
