"""Check 05.2: close with 4503 when the channel layer fails, in a handler or in the consumer's own loop.

1. While the layer works, every socket hears the room.
2. A layer failing on connect (Redis down, slow or read-only) closes the socket with 4503; the consumer ends quietly.
3. A layer failing on send closes that socket only.
4. A layer failing outside any handler (the consumer's read of its own channel) closes 4503 too.
5. A bug that is no layer failure is not turned into 4503.
6. A socket leaves the group however its consumer ends (a layer failure, the server's send() raising too); a consumer
   the server cancels ends cancelled.
7. No handler stalls the event loop.
8. No frame crashes the consumer (the battery).
9. Nothing sets DJANGO_ALLOW_ASYNC_UNSAFE (the battery).
"""

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer

from exercises.probes import FRAME, answer, close_all, ends_cancelled, frame, leaves_however_it_ends, members
from exercises.probes import leaves_when_the_server_send_fails
from exercises.probes import never_blocks, nothing_after_close, nothing_more, serve_layer, sockets
from exercises.probes.layer_limits import BrokenLayer, ReplicaLayer, SendFailsLayer, SlowRedisLayer, UnreadableLayer
from exercises.probes.layer_limits import closed_4503, closing, ended, ends_quietly_after_its_4503, is_4503

EXERCISE, CONSUMER, GROUP = "05.2", "LayerDownConsumer", "exlayerdown"
RULE = "When the channel layer fails (a RedisError), the socket is closed with 4503 (try again later), never 1011"
STALL = 0.25  # a blocking call stalls for as long as it blocks; a loaded machine, for tens of ms on its own


@pytest.mark.rule(1, 7)
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
@pytest.mark.rule(2, 7)
async def test_a_layer_failing_on_connect_closes_the_socket_with_4503(app, settings, layer):
    serve_layer(settings, layer)
    async with never_blocks(STALL):  # a retry that sleeps (time.sleep) stalls every socket of the process
        communicator, got = await closing(app)
        assert is_4503(got), closed_4503(got, "while the socket joined its group", RULE)
        await ends_quietly_after_its_4503(communicator)
        await nothing_after_close(communicator, 0.05)


@pytest.mark.rule(3, 7)
async def test_a_layer_failing_on_send_closes_that_socket_only(app, settings):
    serve_layer(settings, SendFailsLayer)
    async with never_blocks(STALL):
        alice, bob = await sockets(app)
        await alice.send_to(text_data="hello")
        assert is_4503(got := await answer(alice)), closed_4503(got, "while a frame was passed to the room", RULE)
        await nothing_after_close(alice)
        assert await nothing_more(bob), "bob's socket got something when alice's send failed: only alice's closes"
        assert not bob.future.done(), "bob's consumer ended when alice's send failed: each socket has its own consumer"
        await close_all(bob)


@pytest.mark.rule(4, 7)
async def test_a_layer_failing_outside_any_handler_closes_4503_too(app, settings):
    serve_layer(settings, UnreadableLayer)
    async with never_blocks(STALL):
        communicator, got = await closing(app, ended)
        assert is_4503(got), closed_4503(got, "while the consumer read its own channel, outside any handler", RULE)
        await nothing_after_close(communicator)


@pytest.mark.rule(5)
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


@pytest.mark.rule(6, 7)
async def test_a_socket_leaves_the_group_however_its_consumer_ends(app, settings):
    await leaves_however_it_ends(app, GROUP, STALL)  # a disconnect, whatever its code, and a cancel
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
    serve_layer(settings, InMemoryChannelLayer)  # Redis back: then the server's send() raises OSError, no RedisError
    await leaves_when_the_server_send_fails(app, GROUP)


@pytest.mark.rule(6)
async def test_a_consumer_the_server_cancels_ends_cancelled(app):
    await ends_cancelled(app)


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
    test_a_message_arrives_unchanged,
    test_a_layer_failure_is_told_never_swallowed,
    test_a_layer_failure_while_joining_is_told,
)
