"""A news ticker: each post shown once on the client (check 12.2), the group left however a consumer ends (12.3).

An Inbox on the client shows a post whose id is new, or whose title or body differs from what is shown now
for that id, and nothing else: a replay after a reconnect repeats posts. shown_after() gives a fresh Inbox
posts in turn; streams() draws the streams a screen model judges.

On the server, a socket's consumer joins the group fixnews and passes on each headline sent to it. It must
leave the group however it ends: a socket closed, a send that fails on a closing socket (Daphne's autobahn
raises, and no websocket.disconnect follows: django/channels#1466), a server that cancels it, a bug of its
own. These probes run the consumer as Daphne would in each case and say in a sentence what Daphne saw.
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
from exercises.probes.waits import or_settled, until
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
    """Whether the consumer ended, and its error, when a headline's send fails on a closing socket.

    The consumer runs as Daphne 4.2 runs it: each websocket.send raises what autobahn raises on a socket that is
    closing, and no websocket.disconnect comes. It gets one once `joined()` (it has joined the group). A consumer
    still running once nothing left could end it (it waits for an event, quiet.py), or at FRAME, is cancelled, as a
    server would, before the check reads the group.
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
    await until(or_settled(consumer.done), FRAME)  # a right consumer ends at once; a wrong one waits for an event
    done = consumer.done()
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
    return "your consumer swallowed the failed send and was still running afterwards, a dead consumer"


async def ends_by_itself(communicator) -> tuple[bool, BaseException | None]:
    """Whether the consumer ended on its own, and its error; one still running is closed.

    The wait ends when it does, or once nothing left running could end it (it waits for an event: quiet.py), or
    at FRAME.
    """
    await until(or_settled(communicator.future.done), FRAME)  # a right consumer ends at once
    done = communicator.future.done()
    error = communicator.future.exception() if done and not communicator.future.cancelled() else None
    if not done:
        await close_all(communicator)
    return bool(done), error


def shown_after(inbox, *posts: dict) -> bool:
    """Whether a fresh `inbox()`, given each of `posts` in turn (each a copy: the caller keeps its own), shows the last."""
    box = inbox()
    for post in posts[:-1]:
        box.accept(dict(post))
    return box.accept(dict(posts[-1]))


def new_inboxes_start_empty(inbox, post: dict, times: int = 200) -> bool:
    """A client shows `post` and leaves, and a new one comes, `times` over: whether each new Inbox shows `post`.

    Python often gives the new Inbox the id() of the one gone, but not always (another thread may take the freed
    memory first), so clients come and go until some have: memory kept under a key such as id(self) shows.
    """
    for _ in range(times):
        gone = inbox()
        gone.accept(dict(post))
        del gone
        if inbox().accept(dict(post)) is not True:
            return False
    return True


def streams(count: int = 30) -> list[list[dict]]:
    """`count` streams of up to 10 posts, drawn the same on every run: few ids, titles and bodies, so that repeats,
    edits, reverted edits and the same post with its keys in another order all come."""
    from hypothesis import strategies as st  # loaded by the check that draws, not by every check of this module

    from exercises.probes.frames import examples

    post = st.fixed_dictionaries(
        {"id": st.integers(0, 3), "title": st.sampled_from("ab"), "body": st.sampled_from("ab")}
    )
    return examples(st.lists(post, max_size=10), count)


KEYS_REORDERED = (
    " (the same post, its keys in another order: a replay may build its dict elsewhere, so compare the "
    "values, not the text of the dict or its values in order)"
)
