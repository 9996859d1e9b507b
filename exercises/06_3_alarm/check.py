"""Check 06.3 (fix): async code awaits the layer; async_to_sync is only for synchronous callers.

The task's rules, in its order: 1. a frame "<room>:<text>" puts the alarm in that room's group before the console is
told it sounded, every chat room's name as given, with all the text after the first colon; 2. with no stall and no loop
of its own; 3. many consoles' alarms are under way at once, not in line on a thread; 4. a view still sounds one; 5. a
frame naming no valid room gets an error; 6. a layer that fails is never told as sounded; 7. (the battery) it ends on
websocket.disconnect, and nothing sets DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import asyncio
import inspect

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from exercises.probes import AS_SENT, FRAME, close_all, connect, crashed, failure_not_swallowed, frame, layer_down, load
from exercises.probes import member_of, never_blocks, proved, queued, refused_with_error, sockets, until
from exercises.probes.outside_consumers import alarm, default_pool, sounded, waiting_in_line
from exercises.probes.outside_consumers import slow_layer  # noqa: F401 (a fixture)

POOL, CONSOLES = 6, 24  # the default pool of threads of a 2-core server (min(32, cores + 4)), and 4 times as many
RULE = "In async code, await channel_layer.group_send(...); async_to_sync is for sync callers (views, commands) only"
# Frames naming no room a group can have, or no text; a room ending in a newline (`$` matches before it); binary.
NO_ROOM = ["no colon", ":no room", "lobby:", "caf\u00e9:fire", "two words:fire", "a" * 51 + ":fire", "\u00e9t\u00e9"]
NO_ROOM += ["kitchen\n:fire", b"lobby:fire"]
# Rooms at the edges of the chat's names (lesson 04: - and _, capitals kept as given, 50 characters); a text as typed.
AT_THE_EDGES = [("First_floor-2", "drill"), ("R" * 50, "drill"), ("7", "drill"), ("hall", AS_SENT)]
pytestmark = pytest.mark.usefixtures("slow_layer")  # 0.25 s per group_send, whatever REDIS_URL says: a wait shows


@pytest.mark.rule(1, 2)
async def test_a_frame_from_the_console_sounds_the_alarm_in_that_room():
    kitchen, hall = await member_of("chat-kitchen"), await member_of("chat-hall")
    first, second = await sockets(load("06.3", RULE).AlarmConsumer.as_asgi())
    async with never_blocks(0.12):  # a wait on the slow layer stalls 250 ms; load alone, less
        await first.send_to(text_data="kitchen:fire: leave by the back door")
        await second.send_to(text_data="hall:drill")
        await sounded(first, "kitchen")
        kitchen_heard = queued(kitchen)
        await sounded(second, "hall")
        heard = (kitchen_heard, queued(hall))
        assert heard == ([alarm("fire: leave by the back door")], [alarm("drill")]), (
            f'when each console was told it sounded, kitchen and hall had {heard}: {{"sounded": ...}} must mean the '
            "alarm is already in the room's group, its whole text (colons too), and nothing from another room"
        )
        await asyncio.sleep(0.03)  # lets never_blocks' heartbeat record a stall that has just ended
    assert not get_channel_layer().foreign_loops, (
        "the alarm's group_send ran on an event loop of its own, not the server's: async_to_sync in a thread starts "
        f"a loop for each call (a Redis layer opens a connection pool on each one, and never closes it). {RULE}"
    )
    await close_all(first, second)


@pytest.mark.rule(3)
async def test_alarms_from_several_consoles_do_not_wait_in_line():
    with default_pool(POOL) as pool:  # the process's pool as on 2 cores: what thread_sensitive=False uses
        consoles = await sockets(load("06.3", RULE).AlarmConsumer.as_asgi(), count=CONSOLES)
        layer = get_channel_layer()
        layer.hold_for = CONSOLES  # each send is held until every console's is under way
        for n, console in enumerate(consoles):
            await console.send_to(text_data=f"room{n}:drill")
        # All at once, or known never to be: every thread of the pool holds a send, and more wait for one.
        await until(lambda: layer.most >= CONSOLES or waiting_in_line(pool, layer))
        all_at_once, in_line = layer.most >= CONSOLES, waiting_in_line(pool, layer)
        layer.hold_for = 0 if all_at_once else layer.most  # let the held sends go, pass or fail
        assert all_at_once, (
            f"{CONSOLES} consoles sounded an alarm at once, and each group_send was held until all were under way: at "
            f"most {layer.most} were{', the rest in line for a thread' if in_line else f' within {FRAME:.0f} s'}, so the "
            "sends ran one at a time, or a few at a time. A hop "
            "through sync_to_async puts every alarm (and every ORM query) in line on the one sync thread; with "
            f"thread_sensitive=False, in the line of the process's pool of threads ({POOL} on 2 cores). {RULE}"
        )
        for n, console in enumerate(consoles):
            await sounded(console, f"room{n}")
        await close_all(*consoles)


@pytest.mark.rule(4)
async def test_synchronous_code_can_still_sound_the_alarm():
    member, sound_alarm = await member_of("chat-hall"), load("06.3", RULE).sound_alarm
    assert not inspect.iscoroutinefunction(sound_alarm), (
        f"sound_alarm is now async: a view calling sound_alarm(room, text) makes a coroutine, sending nothing. {RULE}"
    )
    try:  # as a view calls it: in a thread of its own, as Django runs every sync view under ASGI
        await sync_to_async(sound_alarm)("hall", "drill")
    except Exception as error:
        pytest.fail(f"sound_alarm('hall', 'drill') called from a view: {crashed(error)}", pytrace=False)
    assert (heard := queued(member)) == [alarm("drill")], (
        f"once sound_alarm('hall', 'drill') returned to the synchronous code that called it, the room had {heard}"
    )


@pytest.mark.rule(5)
async def test_a_frame_naming_no_valid_room_gets_an_error_and_the_socket_stays_open():
    console = await connect(load("06.3", RULE).AlarmConsumer.as_asgi())
    for text in NO_ROOM:
        await refused_with_error(console, text)
    proved("bad frames", len(NO_ROOM))
    await console.send_to(text_data="hall:drill")
    await sounded(console, "hall")
    await close_all(console)


@pytest.mark.rule(1)
async def test_every_chat_room_name_is_sounded_as_given():
    console = await connect(load("06.3", RULE).AlarmConsumer.as_asgi())
    for room, text in AT_THE_EDGES:
        member = await member_of(f"chat-{room}")
        await console.send_to(text_data=f"{room}:{text}")
        got, heard = await frame(console), queued(member)
        assert (got, heard) == ({"sounded": room}, [alarm(text)]), (
            f"the frame {f'{room}:{text}'!r} names a chat room (1-50 letters, digits, _ or -, in the case given): "
            f"expected {{'sounded': {room!r}}} and the alarm in chat-{room}, got {got}, and the group had {heard}: "
            "the group is the room's name as given, never lowercased or trimmed, the text all after the first colon, "
            "as typed: spaces around it, <, & and line breaks too (never stripped or escaped: the chat page escapes it)"
        )
    proved("boundaries", 1)
    await close_all(console)


@pytest.mark.rule(6)
async def test_a_layer_that_fails_is_never_told_to_the_console_as_sounded(monkeypatch):
    failure = layer_down(monkeypatch, "group_send")()  # down from the start: the console's first send fails
    console = await connect(load("06.3", RULE).AlarmConsumer.as_asgi())
    await console.send_to(text_data="kitchen:fire")
    harm = "no room heard the alarm, and a console told it sounded, or left waiting, lets the staff believe it did"
    await failure_not_swallowed(console, failure, "the console", harm, wrong="sounded")


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
)
