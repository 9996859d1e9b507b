"""Check 14.1 (fix): a socket is forgotten (ONLINE and the group) however its consumer ends: a clean close, a failed send, a cancel."""

import asyncio
import functools
import json

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from exercises.checks import frame
from exercises.checks.fixlab import load
from lessons.channel_config import IN_MEMORY

RULE = (
    "A send to a closing socket raises and no websocket.disconnect follows (django/channels#1466), and a server "
    "cancels a consumer that outlives its socket: forget the socket (ONLINE and the group) in __call__'s finally, "
    "not only in websocket_disconnect"
)
CHURN = 200  # connections that come and go in one check: enough to see growth, well under a second
SCOPE = {"type": "websocket", "path": "/", "headers": [], "query_string": b"", "subprotocols": []}


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """The in-memory layer whatever REDIS_URL says: this check reads the layer's groups."""
    settings.CHANNEL_LAYERS = IN_MEMORY


@functools.cache
def module():
    """The module under check, imported once: its ONLINE is the dict every consumer of the check shares."""
    return load("14.1", RULE)


def online() -> set:
    """The channel names ONLINE holds now."""
    return set(module().ONLINE)


def members() -> set:
    return set(get_channel_layer().groups.get("fixonline", {}))


def left_behind(before: tuple[set, set], how: str, count: int, still_running: int = 0) -> None:
    """Fail with what `count` connections that ended `how` left behind, if anything."""
    names, channels = online() - before[0], members() - before[1]
    running = f" (and {still_running} of their consumers were still running 1 s later)" if still_running else ""
    assert not names, (
        f"after {count} connections that {how}, ONLINE still holds {len(names)} of their names; expected 0"
        f"{running}: memory grows with every connection that churns, and new sockets list people long gone. {RULE}"
    )
    assert not channels, (
        f"after {count} connections that {how}, the group fixonline still holds {len(channels)} of their "
        f"channels; expected 0{running}: every group_send keeps working for them. {RULE}"
    )


async def close(communicator: WebsocketCommunicator) -> None:
    """A clean close: websocket.disconnect, then the consumer's end; its cleanup must not raise."""
    try:
        await communicator.disconnect(timeout=1)
    except Exception as error:  # the student's cleanup raised, e.g. a second del of the same key
        pytest.fail(
            f"after a clean close, your consumer raised {type(error).__name__}: {error}; on a clean close the "
            "cleanup can run twice (websocket_disconnect, then __call__'s finally), so it must not mind: "
            "ONLINE.pop(channel, None) and group_discard do not",
            pytrace=False,
        )


async def test_a_new_socket_hears_who_is_online():
    first = WebsocketCommunicator(module().OnlineConsumer.as_asgi(), "/")
    assert (await first.connect(timeout=1))[0], "expected the socket to be accepted"
    own = await frame(first)
    assert isinstance(own, dict) and isinstance(own.get("online"), list) and len(own["online"]) >= 1, (
        f'expected {{"online": [<names>]}} on connect, got {own}'
    )
    second = WebsocketCommunicator(module().OnlineConsumer.as_asgi(), "/")
    await second.connect(timeout=1)
    both = await frame(second)
    assert isinstance(both, dict) and len(both.get("online", [])) == len(own["online"]) + 1, (
        f"expected the second socket's list to hold one name more than the first's ({own['online']}), got {both}"
    )
    await close(first)
    await close(second)


async def test_sockets_that_close_cleanly_leave_nothing_behind():
    before = online(), members()
    for _ in range(50):
        communicator = WebsocketCommunicator(module().OnlineConsumer.as_asgi(), "/")
        assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
        await frame(communicator)
        await close(communicator)
        assert not communicator.future.cancelled(), (
            "the consumer was still running 1 s after websocket.disconnect: raise StopConsumer() in "
            "websocket_disconnect"
        )
    left_behind(before, "closed cleanly", 50)


async def run_until_the_first_send_fails(consumer) -> asyncio.Task:
    """One connection whose client has gone: its accept goes out, its first frame raises as on Daphne 4.2."""
    events: asyncio.Queue = asyncio.Queue()
    events.put_nowait({"type": "websocket.connect"})

    async def send(message):
        if message["type"] == "websocket.send":  # autobahn's Disconnected, a RuntimeError
            raise RuntimeError("Attempt to send on a closed protocol")

    return asyncio.create_task(consumer.as_asgi()(dict(SCOPE), events.get, send))


async def test_connections_that_end_with_a_failed_send_leave_nothing_behind():
    before = online(), members()
    consumer = module().OnlineConsumer
    tasks = [await run_until_the_first_send_fails(consumer) for _ in range(CHURN)]
    _, pending = await asyncio.wait(tasks, timeout=1)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)  # each the send's RuntimeError, as Daphne logs it
    left_behind(before, "ended with a failed send and no websocket.disconnect", CHURN, len(pending))


async def test_consumers_the_server_cancels_leave_nothing_behind():
    before = online(), members()
    consumer = module().OnlineConsumer
    accepted: list[str] = []
    tasks = []
    for _ in range(50):
        events: asyncio.Queue = asyncio.Queue()
        events.put_nowait({"type": "websocket.connect"})

        async def send(message):
            if message["type"] == "websocket.send":
                accepted.append(message["text"])

        tasks.append(asyncio.create_task(consumer.as_asgi()(dict(SCOPE), events.get, send)))
    for _ in range(100):  # until every one has sent its list: up to 1 s
        if len(accepted) >= len(tasks):
            break
        await asyncio.sleep(0.01)
    for task in tasks:  # Daphne: application_close_timeout after the socket closed, or the server stopping
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert len(accepted) == len(tasks) and all("online" in json.loads(text) for text in accepted), (
        f'expected {len(tasks)} {{"online": [...]}} frames before the cancel, got {len(accepted)}'
    )
    left_behind(before, "were cancelled by the server", len(tasks))
