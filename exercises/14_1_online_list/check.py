"""Check 14.1 (fix): a socket is forgotten (ONLINE and its group) however its consumer ends: closed, failed, cancelled.

A new socket hears who is online; sockets that close cleanly, connections whose send fails, and consumers the server
cancels (even again, during their clean-up) leave nothing behind in ONLINE or the group; an error inside the
consumer still reaches the server.
"""

import asyncio
import functools
import json

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer

from exercises.probes import FRAME, WAITED, RoundTripLayer, StallInYourLines, connect, ends_on_disconnect, frame
from exercises.probes import load, members, never_blocks, never_sleeps, nothing_more, send_fails, serve_layer, served
from exercises.probes import until

RULE = (
    "A send to a closing socket raises and no websocket.disconnect follows (django/channels#1466), and a server "
    "cancels a consumer that outlives its socket: forget the socket (ONLINE and the group) however its consumer ends"
)
CHURN = 200  # connections that come and go in one check: enough to see growth, well under a second
pytestmark = pytest.mark.usefixtures("in_memory_layer")  # this check reads the layer's groups
module = functools.partial(load, "14.1", RULE)  # imported once: its ONLINE is the dict every consumer shares


def now() -> tuple[set, set]:
    """The channel names ONLINE holds, and the channels in the group fixonline."""
    return set(module().ONLINE), members("fixonline")


def left_behind(before: tuple[set, set], how: str, count: int, still_running: int = 0, slow: str = "") -> None:
    """Fail with what `count` connections that ended `how` left behind, if anything."""
    names, channels = (after - earlier for after, earlier in zip(now(), before, strict=True))
    running = f" (and {still_running} of their consumers were still running {WAITED} later)" if still_running else ""
    assert not names, (
        f"after {count} connections that {how}, ONLINE still holds {len(names)} of their names; expected 0"
        f"{running}: memory grows with every connection that churns, and new sockets list people long gone. {RULE}"
    )
    assert not channels, (
        f"after {count} connections that {how}, the group fixonline still holds {len(channels)} of their "
        f"channels; expected 0{running}: every group_send keeps working for them{slow}. {RULE}"
    )


async def close(communicator) -> None:
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


async def opened() -> tuple:
    """A new socket, and the names its first frame lists as online: each name once."""
    communicator = await connect(module().OnlineConsumer.as_asgi())
    got = await frame(communicator)
    names = got.get("online") if isinstance(got, dict) else None
    assert isinstance(names, list) and names, f'expected {{"online": [<names>]}} on connect, got {got}'
    assert len(set(names)) == len(names), (
        f"a new socket was told {names}: a new one took a name still in use; each socket's name must be unique"
    )
    return communicator, names


async def test_a_new_socket_hears_who_is_online():
    async with never_blocks(0.5):  # a loaded machine stalls 100-200 ms by itself; a blocking call stalls longer
        (first, own), (second, both) = await opened(), await opened()
        assert len(both) == len(own) + 1, f"expected the second socket's list to name one more than {own}, got {both}"
        await second.send_to(text_data="hello")
        heard = [await frame(first), await frame(second)]
        assert heard[0] == heard[1] and isinstance(heard[0], dict) and heard[0].get("text") == "hello", (
            f'a frame from one socket must reach both as {{"from": <name>, "text": "hello"}}, got {heard}'
        )
        name = heard[0].get("from")
        await close(first)
        await second.send_to(text_data="still here")
        got = await frame(second)
        assert isinstance(got, dict) and got.get("text") == "still here", (
            f"after the other socket closed, the open one expected its own frame back, got {got}: "
            "one socket leaving must not take another out of the group"
        )
        assert await nothing_more(second, 0.1), "a frame arrived twice on the open socket"
        third, listed = await opened()
        assert name in listed, (
            f"after one socket closed, a new socket's list must still name the one that stayed open ({name!r}), got "
            f"{listed}: a socket that leaves forgets itself, never the others"
        )
        await second.send_to(text_data="mine")
        got = [await frame(second), await frame(third)]
        assert all(isinstance(g, dict) and g.get("from") == name for g in got), (
            f"once a third socket had opened, the second one's frame must still come from its own name {name!r}, got "
            f"{got}: each socket's name is its own (self.name), never kept on the class"
        )
        await close(second)
        await close(third)


async def test_sockets_that_close_cleanly_leave_nothing_behind():
    before = now()
    for _ in range(50):
        communicator = await connect(module().OnlineConsumer.as_asgi())
        await frame(communicator)
        async with StallInYourLines(), never_sleeps():  # a blocking cleanup stops every socket as each leaves
            await close(communicator)
        assert not communicator.future.cancelled(), (
            "the consumer was still running after websocket.disconnect: raise StopConsumer() in websocket_disconnect"
        )
    left_behind(before, "closed cleanly", 50)


async def test_connections_that_end_with_a_failed_send_leave_nothing_behind():
    before = now()
    # Clients that have gone: each accept goes out, each frame sent raises.
    tasks = [served(module().OnlineConsumer.as_asgi(), send_fails) for _ in range(CHURN)]
    _, pending = await asyncio.wait(tasks, timeout=FRAME)  # right consumers end at once
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)  # each the send's RuntimeError, as Daphne logs it
    errors = [task.exception() for task in tasks if not task.cancelled()]
    logged = {f"{type(e).__module__}.{type(e).__name__}: {e}" for e in errors if e}
    how = "ended with a failed send and no websocket.disconnect"
    if logged:
        how += ' (Daphne logged "Exception inside application: Attempt to send on a closed protocol": '
        how += f"{', '.join(logged)})"
    left_behind(before, how, CHURN, len(pending))


async def test_consumers_the_server_cancels_leave_nothing_behind(settings):
    serve_layer(settings, RoundTripLayer, add=0, discard=0.05)  # each group_discard a 50 ms round trip to Redis
    before = now()
    accepted: list[str] = []

    async def send(message):
        if message["type"] == "websocket.send":
            accepted.append(message["text"])

    tasks = [served(module().OnlineConsumer.as_asgi(), send) for _ in range(50)]
    await until(lambda: len(accepted) >= len(tasks))  # until every one has sent its list
    async with StallInYourLines():  # a blocking wait in the cleanup stops every socket as each one leaves
        for task in tasks:  # Daphne: application_close_timeout after the socket closed, or the server stopping
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert len(accepted) == len(tasks) and all("online" in json.loads(text) for text in accepted), (
        f'expected {len(tasks)} {{"online": [...]}} frames before the cancel, got {len(accepted)}'
    )
    slow = "; each group_discard took 50 ms, as on Redis: await it in the finally, a task made for it may never run"
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
    before = now()[0]
    futures = [(await connect(module().OnlineConsumer.as_asgi())).future for _ in range(20)]
    for _ in range(2):  # Daphne cancels a consumer that outlives its socket once a second, as long as it runs
        for future in futures:
            future.cancel()
        await asyncio.sleep(0.05)
    await asyncio.gather(*futures, return_exceptions=True)
    names = now()[0] - before
    assert not names, (
        f"20 consumers were cancelled again while their group_discard waited on a Redis that hung (Daphne cancels "
        f"once a second): ONLINE still holds {len(names)} of their names, as what follows that await never ran. "
        "Forget the socket in ONLINE first, it needs no await, then await the group_discard"
    )


async def test_an_error_inside_the_consumer_still_reaches_the_server():
    before = now()
    communicator = await connect(module().OnlineConsumer.as_asgi())
    await frame(communicator)
    await get_channel_layer().group_send("fixonline", {"type": "room.typing", "from": "x"})  # no handler: a bug
    done, _ = await asyncio.wait([communicator.future], timeout=FRAME)  # a right consumer ends at once
    error = communicator.future.exception() if done and not communicator.future.cancelled() else None
    if not done:
        await close(communicator)
    assert isinstance(error, ValueError), (
        f"a layer message of a type no handler takes (a bug) made AsyncConsumer raise ValueError; the consumer "
        f"{'ended with ' + repr(error) if done else f'was still running {WAITED} later'}: forget the socket in a "
        "finally and let every error through (`except Exception: pass` hides bugs from Daphne's log, where they show)"
    )
    left_behind(before, "ended with an error of their own", 1)
