"""Check 14.1 (fix): a socket is forgotten (ONLINE and its group) however its consumer ends: closed, failed, cancelled.

A new socket hears who is online; sockets that close cleanly, connections whose send fails, and consumers the server
cancels (even again, during their clean-up) leave nothing behind in ONLINE or the group; an error inside the
consumer still reaches the server.
"""

import asyncio

import pytest
from channels.layers import get_channel_layer

from exercises.probes import FRAME, WAITED, RoundTripLayer, StallInYourLines, cancelled, connect, ended_cancelled, owned
from exercises.probes import frame, never_blocks, never_sleeps, nothing_more, serve_layer
from exercises.probes.workshop_room import close_cleanly, failed_sends, nothing_left_since, opened_with_list

EXERCISE, CONSUMER = "14.1", "OnlineConsumer"
RULE = (
    "A send to a closing socket raises and no websocket.disconnect follows (django/channels#1466), and a server "
    "cancels a consumer that outlives its socket: forget the socket (ONLINE and the group) however its consumer ends"
)
pytestmark = pytest.mark.usefixtures("in_memory_layer")  # this check reads the layer's groups


@pytest.fixture
def left_behind(module):
    """left_behind(how, count) fails with what `count` connections that ended `how` left since the test began."""
    return nothing_left_since(module, "fixonline", RULE)


@pytest.mark.rule(1, 2, 3, 4)
async def test_a_new_socket_hears_who_is_online(app):
    async with never_blocks(0.5):  # a loaded machine stalls 100-200 ms by itself; a blocking call stalls longer
        (first, own), (second, both) = await opened_with_list(app), await opened_with_list(app)
        assert len(both) == len(own) + 1, f"expected the second socket's list to name one more than {own}, got {both}"
        await second.send_to(text_data="hello")
        heard = [await frame(first), await frame(second)]
        assert heard[0] == heard[1] and isinstance(heard[0], dict) and heard[0].get("text") == "hello", (
            f'a frame from one socket must reach both as {{"from": <name>, "text": "hello"}}, got {heard}'
        )
        await close_cleanly(first)
        third, listed = await opened_with_list(app)
        assert (name := heard[0].get("from")) in listed, (
            f"after one socket closed, a new socket's list must still name the one that stayed open ({name!r}), got "
            f"{listed}: a socket that leaves forgets itself, never the others"
        )
        await second.send_to(text_data="mine")
        heard = [await frame(second), await frame(third)]
        assert all(isinstance(got, dict) and got.get("text") == "mine" for got in heard), (
            f"after one socket closed, the other's frame must reach it and a new one, got {heard}: one socket leaving "
            "must not take another out of the group"
        )
        assert all(got.get("from") == name for got in heard), (
            f"once a third socket had opened, the second one's frame must still come from its own name {name!r}, got "
            f"{heard}: each socket's name is its own (self.name), never kept on the class"
        )
        assert await nothing_more(second, 0.1), "a frame arrived twice on the open socket"
        for communicator in (second, third):
            await close_cleanly(communicator)


@pytest.mark.rule(3, 4)
async def test_sockets_that_close_cleanly_leave_nothing_behind(app, left_behind):
    for _ in range(50):
        await frame(communicator := await connect(app))
        async with StallInYourLines(), never_sleeps():  # a blocking cleanup stops every socket as each leaves
            await close_cleanly(communicator)
        assert not communicator.future.cancelled(), (
            "the consumer was still running after websocket.disconnect: raise StopConsumer() in websocket_disconnect"
        )
    left_behind("closed cleanly", 50)


@pytest.mark.rule(3)
async def test_connections_that_end_with_a_failed_send_leave_nothing_behind(app, left_behind):
    left_behind(await failed_sends(app, 200), 200)  # clients gone: each frame sent raises


@pytest.mark.rule(3, 4, 5)
async def test_consumers_the_server_cancels_leave_nothing_behind(app, left_behind, settings):
    serve_layer(settings, RoundTripLayer, add=0, discard=0.05)  # each group_discard a 50 ms round trip to Redis
    sockets = [(await opened_with_list(owned(app)))[0] for _ in range(50)]  # each has sent its list
    async with StallInYourLines():  # a blocking wait in the cleanup stops every socket as each one leaves
        await asyncio.gather(*map(cancelled, sockets))  # Daphne: application_close_timeout after the close, a shutdown
    slow = "; each group_discard took 50 ms, as on Redis: await it in the finally, a task made for it may never run"
    left_behind("were cancelled by the server", 50, slow)
    late = get_channel_layer().after_its_consumer  # a busy machine may finish such a task before left_behind looks
    assert not late, f"{len(late)} of 50 cancelled consumers ended before their group_discard finished{slow}. {RULE}"
    for communicator in sockets:
        ended_cancelled(communicator)


@pytest.mark.rule(3)
async def test_a_consumer_cancelled_again_during_its_cleanup_forgets_its_name(app, module, settings):
    serve_layer(settings, RoundTripLayer, add=0, discard=3600)  # each group_discard hangs, as on a Redis that hung
    before, futures = set(module.ONLINE), [(await connect(app)).future for _ in range(20)]
    for _ in range(2):  # Daphne cancels a consumer that outlives its socket once a second, as long as it runs
        for future in futures:
            future.cancel()
        await asyncio.sleep(0.05)
    await asyncio.gather(*futures, return_exceptions=True)
    assert not (names := set(module.ONLINE) - before), (
        f"20 consumers were cancelled again while their group_discard waited on a Redis that hung (Daphne cancels once "
        f"a second): ONLINE still holds {len(names)} of their names. Forget the socket in ONLINE first, then await "
        "the group_discard"
    )


@pytest.mark.rule(3, 5)
async def test_an_error_inside_the_consumer_still_reaches_the_server(app, left_behind):
    await frame(communicator := await connect(app))
    await get_channel_layer().group_send("fixonline", {"type": "room.typing", "from": "x"})  # no handler: a bug
    done, _ = await asyncio.wait([communicator.future], timeout=FRAME)  # a right consumer ends at once
    error = communicator.future.exception() if done and not communicator.future.cancelled() else None
    if not done:
        await close_cleanly(communicator)
    assert isinstance(error, ValueError), (
        f"a layer message of a type no handler takes (a bug) made AsyncConsumer raise ValueError; the consumer "
        f"{'ended with ' + repr(error) if done else f'was still running {WAITED} later'}: forget the socket in a "
        "finally and let every error through (`except Exception: pass` hides bugs from Daphne's log, where they show)"
    )
    left_behind("ended with an error of their own", 1)


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_message_arrives_unchanged,
    test_a_layer_failure_is_told_never_swallowed,
    test_a_layer_failure_while_joining_is_told,
)
