"""Lesson 10: reading a streamed HTTP response (server-sent events) from an HttpCommunicator."""

import asyncio
from collections.abc import Callable

from channels.testing import HttpCommunicator

from harness.patience import FRAME, polled


def parse_events(chunks: list[bytes]) -> list[dict]:
    """The server-sent events in a stream's body parts: each a dict of its fields (comments and retry left out)."""
    events = []
    for block in b"".join(chunks).decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if "data" in fields:
            events.append(fields)
    return events


async def open_stream(communicator: HttpCommunicator) -> dict:
    """Send the request; return http.response.start once the first body part has arrived."""
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output()
    assert (await communicator.receive_output())["more_body"] is True
    return start


async def body_parts(communicator: HttpCommunicator, count: int) -> list[bytes]:
    """The next `count` body parts of a streamed response."""
    return [(await communicator.receive_output())["body"] for _ in range(count)]


async def until(condition: Callable[[], object]) -> None:
    """Return once `condition()` is true: the moment a consumer reaches a state, not a guess at how long it takes."""
    # Looked at every millisecond: a consumer's state between two of its awaits. One that never gets there
    # fails the test, never hangs it.
    if not await polled(condition, FRAME, every=0.001):
        raise TimeoutError(f"the consumer did not get there within {FRAME:g} s (harness/patience.py's FRAME)")


def tasks_named(qualname: str) -> list[asyncio.Task]:
    """The running asyncio tasks whose coroutine has this qualified name (a consumer's push task, say)."""
    return [task for task in asyncio.all_tasks() if task.get_coro().__qualname__ == qualname]
