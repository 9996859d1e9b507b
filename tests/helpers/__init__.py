"""Everything the tests share that is not a fixture (fixtures: tests/fixtures/, loaded by tests/conftest.py).

clients.py             the test Origin and Host, a page's POST headers, a logged-in session, layer membership,
                       real WebSocket clients
faults.py              how a socket was answered or ended (hostile input, reliability)
pages.py               the lesson pages' live client, driven in Chromium
crash_asgi.py          the course's application plus one route that crashes on purpose
tiny_consumers.py      lesson 09's tiny consumers, one per testing tool
routes.py              which consumer the root router gives a path to (lesson 00, the layout check)
threads.py             Django's one sync thread, held by a test until it lets go (lessons 02, 05)
terminal.py            a student's terminals, typing a lesson's try-it steps as written (15, 16, 17)
once.py                a costly result computed once per run, however many xdist workers ask for it
channels_live_case.py  lesson 09: Channels' ChannelsLiveServerTestCase, run by test_09_testing_slow.py
http_streams.py        lesson 10: a streamed HTTP response (server-sent events) read from an HttpCommunicator
guarantees.py          lesson 15: the cells a run measured for the guarantees table (bench/guarantees/)
postgres.py            lesson 15: a throwaway PostgreSQL database for the channels_postgres layer
workshop.py            lesson 17: a workshop opened, students joined, their sockets and requests
workshop_rooms.py      lesson 17: small real servers standing in for the instructor's laptop (workshop/client.py)
workshop_server.py     lesson 17: the room served for real, as `make workshop` serves it, on a database of its own
"""

import os
from collections.abc import Callable

import pytest

from harness.patience import CONDITION, polled

# The password of the test user "ada" (tests/fixtures/database.py's `ada`), on the test database only.
ADA_PASSWORD = "analytical-engine"

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip the test with `reason` when `condition` is false; under CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


async def eventually(probe: Callable[[], object], what: str, timeout: float = CONDITION):
    """Poll `probe` (a log written, a count reached) until it returns something true, and return it.

    For what another process does in its own time, never a fixed sleep: a fast machine
    moves on as soon as it is so, a slow one waits up to the liveness deadline, then fails saying `what`.
    """
    if found := await polled(probe, timeout):
        return found
    raise AssertionError(f"not within {timeout:g} s (a liveness deadline, harness/patience.py): {what}")
