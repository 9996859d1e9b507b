"""Check 14.1 (fix): a socket is forgotten (ONLINE and the group) however its consumer ends: a clean close, a failed send, a cancel.

A new socket hears who is online; sockets that close cleanly, connections whose send fails, and consumers the server
cancels (even again, during their clean-up) leave nothing behind in ONLINE or the group; an error inside the
consumer still reaches the server.
"""

import asyncio
import functools
import json

import pytest
from autobahn.exception import Disconnected
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator

from exercises.probes import FRAME, WAITED, connect, ends_on_disconnect, frame, load, never_blocks, never_sleeps
from exercises.probes import nothing_more, RoundTripLayer, serve_layer, StallInYourLines, until

RULE = (
    "A send to a closing socket raises and no websocket.disconnect follows (django/channels#1466), and a server "
    "cancels a consumer that outlives its socket: forget the socket (ONLINE and the group) however its consumer ends"
)
CHURN = 200  # connections that come and go in one check: enough to see growth, well under a second
SCOPE = {"type": "websocket", "path": "/", "headers": [], "query_string": b"", "subprotocols": []}


pytestmark = pytest.mark.usefixtures("in_memory_layer")  # this check reads the layer's groups


@functools.cache
def module():
    """The module under check, imported once: its ONLINE is the dict every consumer of the check shares."""
    return load("14.1", RULE)


def online() -> set:
    """The channel names ONLINE holds now."""
    return set(module().ONLINE)


def members() -> set:
    return set(get_channel_layer().groups.get("fixonline", {}))


def left_behind(before: tuple[set, set], how: str, count: int, still_running: int = 0, slow: str = "") -> None:
    """Fail with what `count` connections that ended `how` left behind, if anything."""
    names, channels = online() - before[0], members() - before[1]
    running = f" (and {still_running} of their consumers were still running {WAITED} later)" if still_running else ""
    assert not names, (
        f"after {count} connections that {how}, ONLINE still holds {len(names)} of their names; expected 0"
        f"{running}: memory grows with every connection that churns, and new sockets list people long gone. {RULE}"
    )
    assert not channels, (
        f"after {count} connections that {how}, the group fixonline still holds {len(channels)} of their "
        f"channels; expected 0{running}: every group_send keeps working for them{slow}. {RULE}"
    )


async def close(communicator: WebsocketCommunicator) -> None:
    """A clean close: websocket.disconnect, then the consumer's end; its cleanup must not raise."""
    try:
        await ends_on_disconnect(communicator)
    except Exception as error:  # the student's cleanup raised, e.g. a second del of the same key
        pytest.fail(
            f"after a clean close, your consumer raised {type(error).__name__}: {error}; on a clean close the "
            "cleanup can run twice (websocket_disconnect, then __call__'s finally), so it must not mind: "
            "ONLINE.pop(channel, None) and group_discard do not",
            pytrace=False,
        )


async def test_a_new_socket_hears_who_is_online():
    async with never_blocks(0.5):  # a loaded machine stalls 100-200 ms by itself; a blocking call stalls longer
        first = await connect(module().OnlineConsumer.as_asgi())
        own = await frame(first)
        assert isinstance(own, dict) and isinstance(own.get("online"), list) and len(own["online"]) >= 1, (
            f'expected {{"online": [<names>]}} on connect, got {own}'
        )
        second = await connect(module().OnlineConsumer.as_asgi())
        both = await frame(second)
        assert isinstance(both, dict) and len(both.get("online", [])) == len(own["online"]) + 1, (
            f"expected the second socket's list to hold one name more than the first's ({own['online']}), got {both}"
        )
        assert len(set(both["online"])) == len(both["online"]), (
            f"two open sockets share a name in {both['online']}: each socket needs a name of its own"
        )
        await second.send_to(text_data="hello")
        heard = [await frame(first), await frame(second)]
        assert heard[0] == heard[1] and isinstance(heard[0], dict) and heard[0].get("text") == "hello", (
            f'a frame from one socket must reach both as {{"from": <name>, "text": "hello"}}, got {heard}'
        )
        await close(first)
        await second.send_to(text_data="still here")
        got = await frame(second)
        assert isinstance(got, dict) and got.get("text") == "still here", (
            f"after the other socket closed, the open one expected its own frame back, got {got}: "
            "one socket leaving must not take another out of the group"
        )
        assert await nothing_more(second, 0.1), "a frame arrived twice on the open socket"
        third = await connect(module().OnlineConsumer.as_asgi())
        now = await frame(third)
        assert isinstance(now, dict) and heard[0].get("from") in now.get("online", []), (
            f"after one socket closed, a new socket's list must still name the one that stayed open "
            f"({heard[0].get('from')!r}), got {now}: a socket that leaves forgets itself, never the others"
        )
        assert len(set(now["online"])) == len(now["online"]), (
            f"after one socket left, a new one took a name still in use: {now['online']}; a name must stay unique"
        )
        await second.send_to(text_data="mine")
        got = [await frame(second), await frame(third)]
        assert all(isinstance(g, dict) and g.get("from") == heard[0].get("from") for g in got), (
            f"once a third socket had opened, the second one's frame must still come from its own name "
            f"{heard[0].get('from')!r}, got {got}: each socket's name is its own (self.name), never kept on the class"
        )
        await close(second)
        await close(third)


async def test_sockets_that_close_cleanly_leave_nothing_behind():
    before = online(), members()
    for _ in range(50):
        communicator = await connect(module().OnlineConsumer.as_asgi())
        await frame(communicator)
        async with StallInYourLines(), never_sleeps():  # a blocking cleanup stops every socket as each leaves
            await close(communicator)
        assert not communicator.future.cancelled(), (
            "the consumer was still running after websocket.disconnect: raise StopConsumer() in websocket_disconnect"
        )
    left_behind(before, "closed cleanly", 50)


async def run_until_the_first_send_fails(consumer) -> asyncio.Task:
    """One connection whose client has gone: its accept goes out, its first frame raises as on Daphne 4.2."""
    events: asyncio.Queue = asyncio.Queue()
    events.put_nowait({"type": "websocket.connect"})

    async def send(message):
        if message["type"] == "websocket.send":  # what Daphne 4.2 (autobahn) raises on a socket that is closing
            raise Disconnected("Attempt to send on a closed protocol")

    return asyncio.create_task(consumer.as_asgi()(dict(SCOPE), events.get, send))


async def test_connections_that_end_with_a_failed_send_leave_nothing_behind():
    before = online(), members()
    consumer = module().OnlineConsumer
    tasks = [await run_until_the_first_send_fails(consumer) for _ in range(CHURN)]
    _, pending = await asyncio.wait(tasks, timeout=FRAME)  # right consumers end at once
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)  # each the send's RuntimeError, as Daphne logs it
    errors = (task.exception() for task in tasks if not task.cancelled())
    logged = {f"{type(e).__module__}.{type(e).__name__}: {e}" for e in errors if e}
    how = "ended with a failed send and no websocket.disconnect"
    if logged:
        how += f' (Daphne logged "Exception inside application: Attempt to send on a closed protocol": {", ".join(logged)})'
    left_behind(before, how, CHURN, len(pending))


async def test_consumers_the_server_cancels_leave_nothing_behind(settings):
    serve_layer(settings, RoundTripLayer, add=0, discard=0.05)  # each group_discard a 50 ms round trip to Redis
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
    await until(lambda: len(accepted) >= len(tasks))  # until every one has sent its list
    async with StallInYourLines():  # a blocking wait in the cleanup stops every socket as each one leaves
        for task in tasks:  # Daphne: application_close_timeout after the socket closed, or the server stopping
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert len(accepted) == len(tasks) and all("online" in json.loads(text) for text in accepted), (
        f'expected {len(tasks)} {{"online": [...]}} frames before the cancel, got {len(accepted)}'
    )
    slow = (
        "; each group_discard took 50 ms here, as on Redis: await it in the finally, a task made for it may never run"
    )
    left_behind(before, "were cancelled by the server", len(tasks), slow=slow)
    finished = sum(not task.cancelled() for task in tasks)
    assert not finished, (
        f"the server cancelled {len(tasks)} consumers, and {finished} of their tasks ended as if they had finished: a "
        "CancelledError caught and not raised again (an except that passes or returns, a return in a finally) swallows "
        "the cancellation, and a server or a TaskGroup waiting for it cannot tell. Forget the socket in a finally"
    )


class HungDiscardLayer(InMemoryChannelLayer):  # each group_discard applied, its answer never comes: a hung Redis
    async def group_discard(self, group, channel):
        await super().group_discard(group, channel)
        await asyncio.Event().wait()


async def test_a_consumer_cancelled_again_during_its_cleanup_forgets_its_name(settings):
    serve_layer(settings, HungDiscardLayer)
    before = online()
    opened = [await connect(module().OnlineConsumer.as_asgi()) for _ in range(20)]
    for _ in range(2):  # Daphne cancels a consumer that outlives its socket once a second, as long as it runs
        for communicator in opened:
            communicator.future.cancel()
        await asyncio.sleep(0.05)
    await asyncio.gather(*(communicator.future for communicator in opened), return_exceptions=True)
    names = online() - before
    assert not names, (
        f"20 consumers were cancelled again while their group_discard waited on a Redis that hung (Daphne cancels "
        f"once a second): ONLINE still holds {len(names)} of their names, as what follows that await never ran. "
        "Forget the socket in ONLINE first, it needs no await, then await the group_discard"
    )


async def test_an_error_inside_the_consumer_still_reaches_the_server():
    before = online(), members()
    communicator = await connect(module().OnlineConsumer.as_asgi())
    await frame(communicator)
    await get_channel_layer().group_send("fixonline", {"type": "room.typing", "from": "x"})  # no handler: a bug
    done, _ = await asyncio.wait([communicator.future], timeout=FRAME)  # a right consumer ends at once
    error = communicator.future.exception() if done and not communicator.future.cancelled() else None
    if not done:
        await close(communicator)
    assert isinstance(error, ValueError), (
        f"a layer message of a type no handler takes (a bug) made AsyncConsumer raise ValueError; the consumer "
        f"{'ended with ' + repr(error) if done else f'was still running {WAITED} later'}: forget the socket in a finally "
        "and let every error through (`except Exception: pass` hides bugs from Daphne's log, where they are seen)"
    )
    left_behind(before, "ended with an error of their own", 1)
