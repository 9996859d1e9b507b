"""Check 05.2: close with 4503 when the channel layer fails, in a handler or in the consumer's own loop.

1. While the layer works, every socket hears the room.
2. A layer failing on connect (Redis down, slow or read-only) closes the socket with 4503; the consumer ends quietly.
3. A layer failing on send closes that socket only.
4. A layer failing outside any handler (the consumer's read of its own channel) closes 4503 too.
5. A bug that is no layer failure is not turned into 4503.
6. A socket leaves the group however its consumer ends, a layer failure too.
7. A consumer the server cancels ends cancelled.
"""

import asyncio
from traceback import extract_tb

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator  # imported once, before any stall monitor
import redis

from exercises.probes import FRAME, NOTHING, answer, close_all, ends_cancelled, frame, leaves_however_it_ends, members
from exercises.probes import never_blocks, next_output, nothing_after_close, nothing_more, serve_layer, sockets

EXERCISE, CONSUMER, GROUP = "05.2", "LayerDownConsumer", "exlayerdown"
RULE = "When the channel layer fails (a RedisError), the socket is closed with 4503 (try again later), never 1011"
STALL = 0.25  # a blocking call stalls for as long as it blocks; a loaded machine, for tens of ms on its own
DOWN = redis.ConnectionError, "Error 111 connecting to 127.0.0.1:6379. Connection refused."
SLOW = redis.TimeoutError, "Timeout reading from 127.0.0.1:6379"
READ_ONLY = redis.ReadOnlyError, "You can't write against a read only replica."  # Redis failed over: ZADD, ZREM refused


def failing(name: str, error: tuple, *calls: str) -> type:
    """The in-memory layer whose `calls` raise `error` (its class, its words), a new one each call, as redis-py does."""

    async def fail(self, *args):
        raise error[0](f"{error[1]} (a check's broken layer)")

    return type(name, (InMemoryChannelLayer,), dict.fromkeys(calls, fail))


BrokenLayer = failing("BrokenLayer", DOWN, "group_add", "group_send", "group_discard")  # leaving fails too
SlowRedisLayer = failing("SlowRedisLayer", SLOW, "group_add", "group_discard")
ReplicaLayer = failing("ReplicaLayer", READ_ONLY, "group_add", "group_discard")
SendFailsLayer = failing("SendFailsLayer", DOWN, "group_send")  # Redis goes after the sockets joined
UnreadableLayer = failing("UnreadableLayer", SLOW, "receive")  # Redis goes while the consumer waits on its channel


def is_4503(got) -> bool:  # a "reason" beside the code is the client's news too, and allowed
    return isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code") == 4503


def closed_4503(got, where: str) -> str:
    if got == NOTHING:
        return (
            f"the layer failed {where} and the socket heard nothing: a failure swallowed leaves the client on a "
            f"dead socket, believing it worked. {RULE}"
        )
    return f"the layer failed {where}: expected a close with 4503 (1011 would say the consumer crashed), got {got}"


async def ended(communicator) -> object:
    """The next event, or a sentence naming the exception the consumer ended with (the server's 1011)."""
    try:
        return await next_output(communicator, FRAME)
    except TimeoutError:
        return NOTHING
    except Exception as error:  # the consumer crashed: the server would close the socket with 1011
        return f"a crash (1011): {type(error).__module__}.{type(error).__name__}: {error}"


async def closing(app, wait=answer) -> tuple:
    """A socket connecting, and what it got after an accept, if accepted before joining (its client hears the 4503)."""
    await (communicator := WebsocketCommunicator(app, "/")).send_input({"type": "websocket.connect"})
    got = await wait(communicator)  # an accept may carry "subprotocol": None, and headers: its type says what it is
    accepted = isinstance(got, dict) and got.get("type") == "websocket.accept"
    return communicator, await wait(communicator) if accepted else got


async def test_while_the_layer_works_every_socket_hears_the_room(app):
    async with never_blocks(STALL):
        alice, bob = await sockets(app)
        await alice.send_to(text_data="hello")
        await bob.send_to(text_data="hi")
        heard, own = [sorted([await frame(socket), await frame(socket)], key=str) for socket in (bob, alice)]
        assert heard == own == ["hello", "hi"], (
            f"while the layer works, every socket hears every text frame of the room: alice got {own}, bob got {heard}"
        )
        await close_all(alice, bob)


@pytest.mark.parametrize("layer", [BrokenLayer, SlowRedisLayer, ReplicaLayer])
async def test_a_layer_failing_on_connect_closes_the_socket_with_4503(app, settings, layer):
    serve_layer(settings, layer)
    async with never_blocks(STALL):  # a retry that sleeps (time.sleep) stalls every socket of the process
        communicator, got = await closing(app)
        assert is_4503(got), closed_4503(got, "while the socket joined its group")
        ending = communicator.future
        await asyncio.wait({ending}, timeout=FRAME)  # a consumer that closed ends now: its clean-up runs here
        after = ending.exception() if ending.done() and not ending.cancelled() else None
        why = "the RedisError was raised again after the close (a raise in the except): the 4503 told it, end quietly"
        if after is not None and any("group_discard" in (f.line or "") for f in extract_tb(after.__traceback__)):
            why = "with Redis gone, leaving the group failed too: ignore a RedisError there (the membership expires)"
        assert after is None, (
            f"after its 4503 the consumer ended with {type(after).__name__}: {after}: {why}; a layer failure must "
            "close the socket with 4503, not crash it (1011), or the server logs a crash for every socket of the outage"
        )
        await nothing_after_close(communicator, 0.05)


async def test_a_layer_failing_on_send_closes_that_socket_only(app, settings):
    serve_layer(settings, SendFailsLayer)
    async with never_blocks(STALL):
        alice, bob = await sockets(app)
        await alice.send_to(text_data="hello")
        assert is_4503(got := await answer(alice)), closed_4503(got, "while a frame was passed to the room")
        await nothing_after_close(alice)
        assert await nothing_more(bob), "bob's socket got something when alice's send failed: only alice's closes"
        assert not bob.future.done(), "bob's consumer ended when alice's send failed: each socket has its own consumer"
        await close_all(bob)


async def test_a_layer_failing_outside_any_handler_closes_4503_too(app, settings):
    serve_layer(settings, UnreadableLayer)
    async with never_blocks(STALL):
        communicator, got = await closing(app, ended)
        assert is_4503(got), closed_4503(got, "while the consumer read its own channel, outside any handler")
        await nothing_after_close(communicator)


async def test_a_bug_that_is_no_layer_failure_is_not_turned_into_4503(app):
    communicator = (await sockets(app, count=1))[0]
    (channel,) = members(GROUP)
    await get_channel_layer().send(channel, {"type": "no.such.handler"})  # no handler takes it: a bug
    await asyncio.wait({communicator.future}, timeout=FRAME)  # a crash shows at once, not when a wait runs out
    events = [await ended(communicator)]
    while isinstance(events[-1], dict) and len(events) < 3:
        events.append(await ended(communicator))
    assert not any(map(is_4503, events)) and isinstance(events[-1], str) and "ValueError" in events[-1], (
        f"a message no handler takes made AsyncConsumer raise ValueError, a bug, not Redis being down: expected "
        f"the consumer to crash with it (the server logs the traceback), got {events}. Catch RedisError only: "
        f"every Exception answered with 4503 hides the bug and sends clients to retry forever"
    )


async def test_a_socket_leaves_the_group_however_its_consumer_ends(app, settings):
    await leaves_however_it_ends(app, GROUP, STALL)
    serve_layer(settings, SendFailsLayer)  # and when a layer failure ends it: its Redis may answer the very next call
    (alice,) = await sockets(app, count=1)
    joined = members(GROUP)
    await alice.send_to(text_data="hello")
    got = await answer(alice)
    await asyncio.wait({alice.future}, timeout=FRAME)  # a consumer that closed ends now: its clean-up runs here
    assert is_4503(got) and len(joined) == 1 and not members(GROUP), (
        f"alice's send failed (her socket got {got}), and her channel stayed in the group after her consumer ended: "
        "however the consumer ends, a layer failure too, it leaves the group (a Redis that failed one call may answer "
        "the next: try, and ignore a RedisError while leaving); a finally around the whole consumer misses no way out"
    )


async def test_a_consumer_the_server_cancels_ends_cancelled(app):
    await ends_cancelled(app)
