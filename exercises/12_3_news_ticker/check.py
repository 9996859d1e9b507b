"""Check 12.3 (fix): a socket leaves its group however its consumer ends, even when a send fails and no disconnect comes."""

import asyncio
import traceback

import pytest
from autobahn.exception import Disconnected
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import InMemoryChannelLayer, channel_layers, get_channel_layer

from exercises.probes import (
    FRAME,
    WAITED,
    StallInYourLines,
    cancelled,
    close_all,
    connect,
    ends_on_disconnect,
    frame,
    load,
    members,
    never_blocks,
    never_sleeps,
    nothing_more,
    running_tasks,
    sockets,
    tasks_left,
    until,
)
from lessons.channel_config import IN_MEMORY

RULE = (
    "A send to a closing socket raises and no websocket.disconnect follows (django/channels#1466), and a server "
    "cancels a consumer that outlives its socket: leave the group however the consumer ends"
)


class RoundTripLayer(InMemoryChannelLayer):
    """The in-memory layer, whose group_add and group_discard take a round trip, as Redis's do."""

    async def group_add(self, group, channel):
        await asyncio.sleep(0.02)
        await super().group_add(group, channel)

    async def group_discard(self, group, channel):
        await asyncio.sleep(0.05)
        await super().group_discard(group, channel)


@pytest.fixture(autouse=True)
def in_memory_layer(settings, monkeypatch):
    """An in-memory layer whatever REDIS_URL says: this check reads the layer's groups."""
    settings.CHANNEL_LAYERS = IN_MEMORY
    monkeypatch.setitem(channel_layers.backends, DEFAULT_CHANNEL_LAYER, RoundTripLayer())


def ticker():
    return load("12.3", RULE).TickerConsumer.as_asgi()


async def headline(text: str) -> None:
    await get_channel_layer().group_send("fixnews", {"type": "news.item", "headline": text})


async def test_a_socket_whose_send_fails_leaves_the_group():
    before = members("fixnews")
    events: asyncio.Queue = asyncio.Queue()
    events.put_nowait({"type": "websocket.connect"})

    async def send(message):
        if message["type"] == "websocket.send":  # what Daphne 4.2 (autobahn) raises on a socket that is closing
            raise Disconnected("Attempt to send on a closed protocol")

    scope = {"type": "websocket", "path": "/", "headers": [], "query_string": b"", "subprotocols": []}
    consumer = asyncio.create_task(ticker()(scope, events.get, send))
    await until(lambda: members("fixnews") - before)  # until it has joined
    await headline("the socket is gone")
    done, _ = await asyncio.wait([consumer], timeout=FRAME)  # a right consumer ends at once
    if not done:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
    error = consumer.exception() if done and not consumer.cancelled() else None
    logged = (
        f'Daphne logged "Exception inside application: {error}", ending in '
        f"{traceback.format_exception_only(error)[-1].strip()}, and no websocket.disconnect came"
        if error
        else f"your consumer swallowed the failed send and was still running {WAITED} later, a dead consumer"
    )
    left_behind = members("fixnews") - before
    ended = " once the consumer has ended" if done else ""
    advice = " (await group_discard before the consumer ends: a task started for it may run later, or never)"
    advice = advice if done else ""
    assert not left_behind, (
        f"{logged}; the failed socket's channel is still in the group fixnews{ended}, so every group_send keeps "
        f"working for it{advice}. {RULE}"
    )
    assert done, f"{logged}: a consumer whose send failed must end (let the error propagate), not keep running"


async def test_open_sockets_get_the_headlines_and_one_leaving_changes_nothing():
    # A loaded machine stalls 100-200 ms by itself; a blocking call stalls longer; a time.sleep is seen however short,
    # and any blocking wait in your own lines over 80 ms (StallInYourLines).
    async with never_blocks(0.5), StallInYourLines(0.08):
        with never_sleeps():
            first, second = await sockets(ticker(), "/", count=2)
            assert len(members("fixnews")) == 2, (
                f"{len(members('fixnews'))} of 2 accepted sockets are in the group fixnews: join it before accepting "
                "(a Redis group_add takes a round trip), so that a client that sees its socket open gets the headlines"
            )
            await headline("tea is ready")
            for name, communicator in (("first", first), ("second", second)):
                got = await frame(communicator)
                assert got == {"headline": "tea is ready"}, (
                    f'the {name} of two open sockets expected {{"headline": "tea is ready"}}, got {got}'
                )
            assert await ends_on_disconnect(first), (
                "the consumer was still running after websocket.disconnect, until the test cancelled it: raise "
                "StopConsumer() in websocket_disconnect, even with the clean-up in __call__'s finally, or every closed "
                "socket's consumer lingers in the group until Daphne cancels it (application_close_timeout, 10 s later)"
            )
            await headline("still here")
            got = await frame(second)
            assert got == {"headline": "still here"}, (
                f'after the other socket closed, the open one expected {{"headline": "still here"}}, got {got}: '
                "one socket leaving must not take another out of the group"
            )
            assert await nothing_more(second, 0.1), "a headline arrived twice on the open socket"
            await close_all(second)
    assert not members("fixnews"), f"after both sockets closed, the group still holds {members('fixnews')}"


async def test_a_consumer_the_server_cancels_leaves_the_group():
    before = running_tasks()
    # A loaded machine stalls 100-200 ms by itself; a blocking call stalls longer; a time.sleep is seen however short,
    # and any blocking wait in your own lines over 80 ms (StallInYourLines).
    async with never_blocks(0.5), StallInYourLines(0.08):
        with never_sleeps():
            communicator, other = await sockets(ticker(), "/", count=2)
            await cancelled(communicator)
            left = members("fixnews")
            assert len(left) == 1, (
                f"a consumer cancelled by the server (shutdown, application_close_timeout) left {len(left)} channels "
                f"in the group fixnews, expected only the other socket's: CancelledError is no Exception, so "
                f"`except Exception` misses it, and it comes while the consumer waits for its next event, outside every "
                f"handler and dispatch(). {RULE}"
            )
            future = communicator.future
            ended = (
                f"was still running {WAITED} later"
                if not future.done()
                else f"ended with {future.exception()!r}"
                if not future.cancelled() and future.exception()
                else "ended as if it had finished"
            )
            assert future.cancelled(), (
                f"the server cancelled your consumer, and its task {ended}: a CancelledError caught and not raised "
                "again (an except that passes or returns, a return in a finally) swallows the cancellation, so a "
                "server waiting for the consumer to stop, or an asyncio.timeout() or TaskGroup around it, cannot "
                "tell it was stopped. Clean up in a finally, which lets the CancelledError through"
            )
            await close_all(other)
    assert not await tasks_left(before), "a task of your consumer was still running after its socket ended"


async def test_an_error_inside_the_consumer_still_reaches_the_server():
    before = members("fixnews")
    communicator = await connect(ticker())
    await get_channel_layer().group_send("fixnews", {"type": "news.flash", "headline": "a bug"})  # no handler
    done, _ = await asyncio.wait([communicator.future], timeout=FRAME)  # a right consumer ends at once
    error = communicator.future.exception() if done and not communicator.future.cancelled() else None
    if not done:
        await close_all(communicator)
    assert isinstance(error, ValueError) and not members("fixnews") - before, (
        f"a layer message of a type no handler takes (a bug) made AsyncConsumer raise ValueError; the consumer "
        f"{'ended with ' + repr(error) if done else f'was still running {WAITED} later'}: clean up in a finally and let "
        "every error through (`except Exception: pass` hides a bug from Daphne's log, where it would be seen)"
    )
