"""Check 12.3 (fix): a socket leaves its group however its consumer ends, even when a send fails and no disconnect comes.

A socket whose send fails leaves the group, and its consumer ends; open sockets get the headlines as sent, one leaving
changes nothing; a consumer the server cancels leaves the group and ends cancelled; an error inside the consumer
still reaches the server.
"""

import asyncio
import traceback

import pytest
from autobahn.exception import Disconnected
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer

from exercises.probes import FRAME, WAITED, cancelled, close_all, connect, ended_cancelled, ends_on_disconnect, frame
from exercises.probes import members, never_blocks, never_sleeps, nothing_more, RoundTripLayer, running_tasks, sockets
from exercises.probes import AS_SENT, StallInYourLines, tasks_left, until
from lessons.channel_config import IN_MEMORY

EXERCISE, CONSUMER = "12.3", "TickerConsumer"
# A loaded machine stalls 100-200 ms by itself; a blocking call stalls longer; a time.sleep is seen however short,
# and any blocking wait in your own lines over 80 ms (StallInYourLines).
LAG, OWN_LAG = 0.5, 0.08
RULE = (
    "A send to a closing socket raises and no websocket.disconnect follows (django/channels#1466), and a server "
    "cancels a consumer that outlives its socket: leave the group however the consumer ends"
)


@pytest.fixture(autouse=True)
def in_memory_layer(settings, monkeypatch):
    """An in-memory layer whatever REDIS_URL says (this check reads its groups), its group calls a round trip long."""
    settings.CHANNEL_LAYERS = IN_MEMORY
    monkeypatch.setitem(channel_layers.backends, DEFAULT_CHANNEL_LAYER, RoundTripLayer(add=0.02, discard=0.05))


async def headline(text: str) -> None:
    await get_channel_layer().group_send("fixnews", {"type": "news.item", "headline": text})


async def test_a_socket_whose_send_fails_leaves_the_group(app):
    before = members("fixnews")
    events: asyncio.Queue = asyncio.Queue()
    events.put_nowait({"type": "websocket.connect"})

    async def send(message):
        if message["type"] == "websocket.send":  # what Daphne 4.2 (autobahn) raises on a socket that is closing
            raise Disconnected("Attempt to send on a closed protocol")

    scope = {"type": "websocket", "path": "/", "headers": [], "query_string": b"", "subprotocols": []}
    consumer = asyncio.create_task(app(scope, events.get, send))
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
    ended = " once the consumer has ended (await group_discard before it ends: a task started for it may run later, or never)"
    assert not left_behind, (
        f"{logged}; the failed socket's channel is still in the group fixnews{ended if done else ''}, so every "
        f"group_send keeps working for it. {RULE}"
    )
    assert done, f"{logged}: a consumer whose send failed must end (let the error propagate), not keep running"


async def test_open_sockets_get_the_headlines_and_one_leaving_changes_nothing(app):
    async with never_blocks(LAG), StallInYourLines(OWN_LAG):
        with never_sleeps():
            first, second = await sockets(app, "/", count=2)
            assert len(members("fixnews")) == 2, (
                f"{len(members('fixnews'))} of 2 accepted sockets are in the group fixnews: join it before accepting "
                "(a Redis group_add takes a round trip), so that a client that sees its socket open gets the headlines"
            )
            await headline(AS_SENT)
            for name, communicator in (("first", first), ("second", second)):
                got = await frame(communicator)
                assert got == {"headline": AS_SENT}, (
                    f"the {name} of two open sockets expected {{'headline': {AS_SENT!r}}}, got {got}: a headline is "
                    "passed on as it was sent, its spaces, <, & and emoji too (the page that shows it escapes it)"
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


async def test_a_consumer_the_server_cancels_leaves_the_group(app):
    before = running_tasks()
    async with never_blocks(LAG), StallInYourLines(OWN_LAG):
        with never_sleeps():
            communicator, other = await sockets(app, "/", count=2)
            await cancelled(communicator)
            left = members("fixnews")
            assert len(left) == 1, (
                f"a consumer cancelled by the server (shutdown, application_close_timeout) left {len(left)} channels "
                f"in the group fixnews, expected only the other socket's: CancelledError is no Exception, so "
                f"`except Exception` misses it, and it comes while the consumer waits for its next event, outside every "
                f"handler and dispatch(). {RULE}"
            )
            ended_cancelled(communicator)
            await close_all(other)
    assert not await tasks_left(before), "a task of your consumer was still running after its socket ended"


async def test_an_error_inside_the_consumer_still_reaches_the_server(app):
    before = members("fixnews")
    communicator = await connect(app)
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
