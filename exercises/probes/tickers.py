"""A news ticker's group, however its consumer ends (check 12.3).

A socket's consumer joins the group fixnews and passes on each headline sent to it. It must leave the group
however it ends: a socket closed, a send that fails on a closing socket (Daphne's autobahn raises, and no
websocket.disconnect follows: django/channels#1466), a server that cancels it, a bug of its own. These
probes run the consumer as Daphne would in each case and say in a sentence what Daphne saw.
"""

import asyncio
import traceback
from contextlib import asynccontextmanager

import pytest
from autobahn.exception import Disconnected
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer

from exercises.probes.communicators import close_all
from exercises.probes.layers import RoundTripLayer
from exercises.probes.loop import StallInYourLines, never_blocks, never_sleeps
from exercises.probes.waits import WAITED, until
from harness.patience import FRAME

GROUP = "fixnews"
# A loaded machine stalls 100-200 ms by itself; a blocking call stalls longer; a time.sleep is seen however short,
# and any blocking wait in your own lines over 80 ms (StallInYourLines).
LAG, OWN_LAG = 0.5, 0.08


@pytest.fixture
def a_ticker_layer(in_memory_layer, monkeypatch):
    """The in-memory layer whatever REDIS_URL says (the check reads its groups), its group calls a round trip long:
    a consumer that joins after accepting, or leaves in a task of its own, is seen doing so."""
    monkeypatch.setitem(channel_layers.backends, DEFAULT_CHANNEL_LAYER, RoundTripLayer(add=0.02, discard=0.05))


@asynccontextmanager
async def on_a_watched_loop():
    """The loop is watched for stalls (LAG), for blocking waits in the student's lines (OWN_LAG), for time.sleep."""
    async with never_blocks(LAG), StallInYourLines(OWN_LAG):
        with never_sleeps():
            yield


async def headline(text: str, kind: str = "news.item") -> None:
    """A headline sent to the group, as the news service sends it (`kind`: its message type, a handler's name)."""
    await get_channel_layer().group_send(GROUP, {"type": kind, "headline": text})


async def a_send_fails(app, joined) -> tuple[bool, BaseException | None]:
    """Whether the consumer ended within FRAME, and its error, when a headline's send fails on a closing socket.

    The consumer runs as Daphne 4.2 runs it: each websocket.send raises what autobahn raises on a socket that is
    closing, and no websocket.disconnect comes. It gets one once `joined()` (it has joined the group). A consumer
    still running after FRAME is cancelled, as a server would, before the check reads the group.
    """
    events: asyncio.Queue = asyncio.Queue()
    events.put_nowait({"type": "websocket.connect"})

    async def send(message):
        if message["type"] == "websocket.send":
            raise Disconnected("Attempt to send on a closed protocol")

    scope = {"type": "websocket", "path": "/", "headers": [], "query_string": b"", "subprotocols": []}
    consumer = asyncio.create_task(app(scope, events.get, send))
    await until(joined)
    await headline("the socket is gone")
    done, _ = await asyncio.wait([consumer], timeout=FRAME)  # a right consumer ends at once
    if not done:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
    return bool(done), consumer.exception() if done and not consumer.cancelled() else None


def daphne_saw(done: bool, error: BaseException | None) -> str:
    """What Daphne's log showed of a consumer whose send failed: its error, or nothing at all from a dead consumer."""
    if error:
        return (
            f'Daphne logged "Exception inside application: {error}", ending in '
            f"{traceback.format_exception_only(error)[-1].strip()}, and no websocket.disconnect came"
        )
    return f"your consumer swallowed the failed send and was still running {WAITED} later, a dead consumer"


async def ends_by_itself(communicator) -> tuple[bool, BaseException | None]:
    """Whether the consumer ended on its own within FRAME, and its error; one still running is closed."""
    done, _ = await asyncio.wait([communicator.future], timeout=FRAME)  # a right consumer ends at once
    error = communicator.future.exception() if done and not communicator.future.cancelled() else None
    if not done:
        await close_all(communicator)
    return bool(done), error
