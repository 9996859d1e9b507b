"""How long the course waits for what must happen: every liveness deadline, in one place.

No test's verdict, and no exercise check's, may depend on how fast the machine
is. So a test waits for the event itself (a frame, a port that listens, a
process that exits) and gives up only at a liveness deadline: a bound that a
machine three times slower than a developer's, with every core busy, still
meets with room to spare. A fast machine never waits for it: the wait ends
when the event comes.

The deadlines below scale together with one setting, COURSE_PATIENCE (a
number, 1 unless set). A laptop slower still, or one running a video call and
a browser beside the tests, raises it:

    COURSE_PATIENCE=3 make test

Waiting for nothing to happen (a frame that must not come) is no liveness
deadline: a longer wait there only slows the run, so those waits stay short
and say so where they are written.
"""

import asyncio
import inspect
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager


def _patience() -> float:
    raw = os.environ.get("COURSE_PATIENCE", "").strip() or "1"
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 100:
        raise ValueError(f"COURSE_PATIENCE={raw!r}: give a number from 1 to 100 (3 for a machine three times slower)")
    return value


PATIENCE = _patience()


def patient(seconds: float) -> float:
    """A liveness deadline of `seconds` on a developer's machine, times COURSE_PATIENCE."""
    return seconds * PATIENCE


# The deadlines every test, fixture, check and harness takes from here (seconds, before COURSE_PATIENCE).
FRAME = patient(10)  # a frame, an answer or a layer message that must come (in-process: milliseconds)
SERVER_START = patient(90)  # a Daphne, uvicorn, nginx or redis-server listening (idle: 0.01-1.5 s)
SERVER_STOP = patient(10)  # a server that was asked to stop has exited (then it is killed)
CONDITION = patient(30)  # a state polled for: a replica synced, a failover done, a row written
COMMAND = patient(180)  # a whole child process: a manage.py command, a pytest run of one check
# pytest-timeout's bound on one test: a hung test fails instead of stalling the run. The longest tests type a
# lesson's try-it steps, a dozen commands each a process of its own: lesson 17's took 21 s alone, 161-206 s in
# CI runs beside the rest of the suite, and a machine three times slower must still finish it.
TEST = patient(600)


async def polled(condition, deadline: float = CONDITION, every: float = 0.02):
    """`condition()`'s first true value, looked at every `every` s; None once `deadline` s (a liveness bound) pass.

    For what another process or task does in its own time, never a fixed sleep: a fast machine moves on
    as soon as it is so, a slow one waits up to the deadline. tests.helpers.eventually() fails a test with it.
    `condition` may be a coroutine function (a round trip to a server, say): each look awaits it.
    """
    give_up = time.monotonic() + deadline
    while not (found := await looked(condition)):
        if time.monotonic() > give_up:
            return None
        await asyncio.sleep(every)
    return found


async def looked(condition):
    """One look: what `condition()` gives, awaited when it is a coroutine."""
    found = condition()
    return await found if inspect.isawaitable(found) else found


def communicator_timeouts(timeout: float) -> dict:
    """Make `timeout` the default of every wait of Channels' and asgiref's test communicators for what must come.

    connect(), receive_from(), receive_json_from(), disconnect(), get_response(), receive_output()
    and wait() all default to timeout=1. In-process, what they wait for takes milliseconds, but a
    CI run beside other work (2026-11-26) took over 1 s to echo a 1 MiB frame through the inspector,
    and a correct student test that waited 1 s failed its check at a load average of 38. A wait ends
    when its event comes, so a longer bound costs a passing test nothing. receive_nothing() keeps its
    0.1 s: a wait for nothing to come is no liveness deadline, and a longer one only slows the run.
    Returns each method's defaults before, for communicators_wait() to put back.
    """
    from asgiref.testing import ApplicationCommunicator
    from channels.testing import HttpCommunicator, WebsocketCommunicator

    before = {}
    for method in (
        ApplicationCommunicator.wait,
        ApplicationCommunicator.receive_output,
        WebsocketCommunicator.connect,
        WebsocketCommunicator.receive_from,
        WebsocketCommunicator.receive_json_from,
        WebsocketCommunicator.disconnect,
        HttpCommunicator.get_response,
    ):
        names = inspect.signature(method).parameters
        defaults = dict(zip(list(names)[-len(method.__defaults__) :], method.__defaults__, strict=True))
        before[method] = method.__defaults__
        method.__defaults__ = tuple({**defaults, "timeout": timeout}.values())
    return before


@contextmanager
def communicators_wait(timeout: float) -> Iterator[None]:
    """communicator_timeouts(timeout) inside the block, the defaults as they were after it."""
    before = communicator_timeouts(timeout)
    try:
        yield
    finally:
        for method, defaults in before.items():
            method.__defaults__ = defaults
