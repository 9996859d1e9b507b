"""Check 06.3 (fix): async code awaits the layer; async_to_sync is only for synchronous callers."""

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer

from exercises.probes import (
    FRAME,
    close_all,
    connect,
    crashed,
    failure_not_swallowed,
    frame,
    load,
    never_blocks,
    proved,
    until,
)

POOL = 6  # the default pool of threads of a 2-core server: min(32, cores + 4)
CONSOLES = 4 * POOL  # enough to fill that pool four times over
RULE = (
    "In async code, await channel_layer.group_send(...) directly; async_to_sync is for synchronous callers "
    "(views, commands) only"
)


class SlowLayer(InMemoryChannelLayer):
    """An in-memory layer whose group_send takes 0.25 s, like a busy Redis, and notes a send from a foreign loop.

    With hold_for set, each group_send waits instead until that many are under way at once (or until FRAME):
    sends that wait in line never get there, however fast the machine.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        try:  # built in the check's own async code: the server's loop
            self.home_loop = asyncio.get_running_loop()
        except RuntimeError:  # built outside any loop: the first group_send names it
            self.home_loop = None
        self.foreign_loops = 0
        self.hold_for, self.under_way, self.most = 0, 0, 0

    async def group_send(self, group, message):
        self.home_loop = self.home_loop or asyncio.get_running_loop()
        if asyncio.get_running_loop() is not self.home_loop:
            self.foreign_loops += 1
        self.under_way += 1
        self.most = max(self.most, self.under_way)
        if self.hold_for:  # polled, not an asyncio.Event: a send on a loop of its own must see it too
            await until(lambda: self.most >= self.hold_for)
        else:
            await asyncio.sleep(0.25)
        self.under_way -= 1
        await super().group_send(group, message)


@pytest.fixture(autouse=True)
def slow_layer(settings):
    """A fresh in-memory layer whatever REDIS_URL says, 0.25 s per group_send: waiting on it shows."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.SlowLayer"}}


async def member_of(group: str) -> str:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


def queued(channel: str) -> list:
    """The layer messages waiting for `channel` now, taken without blocking."""
    queue = get_channel_layer().channels.get(channel)
    taken = []
    while queue is not None and not queue.empty():
        taken.append(queue.get_nowait()[1])
    return taken


def alarm(text: str) -> dict:
    return {"type": "chat.message", "message": text, "sender": "alarm"}


async def sounded(console, room: str) -> None:
    """The console's answer to its frame: {"sounded": room}; a crash says what Daphne logs."""
    try:
        got = await frame(console)
    except BaseException as error:  # pytest's failure from answer(): add the rule to the logged error
        raise AssertionError(f"{error} (the socket closes with 1011)") from None
    assert got == {"sounded": room}, f'expected {{"sounded": "{room}"}} on the console\'s own socket, got {got}'


async def test_a_frame_from_the_console_sounds_the_alarm_in_that_room():
    consumer = load("06.3", RULE).AlarmConsumer.as_asgi()
    kitchen, hall = await member_of("chat-kitchen"), await member_of("chat-hall")
    first, second = await connect(consumer), await connect(consumer)
    proved("sockets", 2)
    async with never_blocks(0.12):  # a wait on the slow layer stalls 250 ms; load alone, less
        await first.send_to(text_data="kitchen:fire: leave by the back door")
        await second.send_to(text_data="hall:drill")
        await sounded(first, "kitchen")
        kitchen_heard = queued(kitchen)
        await sounded(second, "hall")
        hall_heard = queued(hall)
        assert kitchen_heard == [alarm("fire: leave by the back door")], (
            f'when the console was told it sounded, the room kitchen had {kitchen_heard}: {{"sounded": ...}} must '
            "mean the alarm is already in the room's group, its whole text (colons too), and nothing from another room"
        )
        assert hall_heard == [alarm("drill")], (
            f"when the second console was told it sounded, the room hall had {hall_heard}: each socket sounds "
            "its own room, and only once the layer has taken the message"
        )
        await asyncio.sleep(0.03)  # lets never_blocks' heartbeat record a stall that has just ended
    assert not get_channel_layer().foreign_loops, (
        "the alarm's group_send ran on an event loop of its own, not the server's: async_to_sync in a thread of "
        "its own (asyncio.to_thread, a thread pool) starts a loop for each call, and a Redis layer opens a "
        f"connection pool on each one and never closes it. {RULE}"
    )
    await close_all(first, second)


async def test_alarms_from_several_consoles_do_not_wait_in_line():
    consumer = load("06.3", RULE).AlarmConsumer.as_asgi()
    # The process's pool of threads as on a 2-core server (min(32, cores + 4)): what thread_sensitive=False uses.
    pool = ThreadPoolExecutor(max_workers=POOL)
    asyncio.get_running_loop().set_default_executor(pool)
    try:
        consoles = [await connect(consumer) for _ in range(CONSOLES)]
        proved("sockets", len(consoles))
        layer = get_channel_layer()
        layer.hold_for = CONSOLES  # each send is held until every console's is under way
        for n, console in enumerate(consoles):
            await console.send_to(text_data=f"room{n}:drill")
        all_at_once = await until(lambda: layer.most >= CONSOLES)
        layer.hold_for = 0 if all_at_once else layer.most  # let the held sends go, pass or fail
        answers = await asyncio.gather(*(frame(console) for console in consoles))
        expected = [{"sounded": f"room{n}"} for n in range(len(consoles))]
        assert all_at_once, (
            f"{CONSOLES} consoles sounded an alarm at once, and each group_send was held until all were under way: "
            f"at most {layer.most} were, within {FRAME:.0f} s, so the sends ran "
            f"one at a time, or a few at a time. A hop through sync_to_async puts every "
            f"alarm (and every ORM query of the process) in one line on the single sync thread; with "
            f"thread_sensitive=False, in the line of the process's pool of threads ({POOL} on a 2-core server), which "
            f"every such call shares. {RULE}"
        )
        assert answers == expected, (
            f"{CONSOLES} consoles each sounded an alarm in its own room: expected each told {{'sounded': <its room>}}, "
            f"got {answers}"
        )
        await close_all(*consoles)
    finally:
        pool.shutdown(wait=False)


async def test_synchronous_code_can_still_sound_the_alarm():
    member = await member_of("chat-hall")
    sound_alarm = load("06.3", RULE).sound_alarm
    assert not inspect.iscoroutinefunction(sound_alarm), (
        f"sound_alarm is now async: a view calling sound_alarm(room, text) only builds a coroutine and sends "
        f"nothing. {RULE}"
    )
    # A view runs in a thread of its own, as Django runs every sync view under ASGI.
    try:
        await sync_to_async(sound_alarm)("hall", "drill")
    except Exception as error:
        pytest.fail(f"sound_alarm('hall', 'drill') called from a view: {crashed(error)}", pytrace=False)
    message = queued(member)
    assert message == [alarm("drill")], (
        f"once sound_alarm('hall', 'drill') returned to the synchronous code that called it, the room had "
        f"{message}. {RULE}"
    )


async def test_a_frame_naming_no_valid_room_gets_an_error_and_the_socket_stays_open():
    console = await connect(load("06.3", RULE).AlarmConsumer.as_asgi())
    bad = ["no colon", ":no room", "lobby:", "caf\u00e9:fire", "two words:fire", "a" * 51 + ":fire", "\u00e9t\u00e9"]
    bad.append("kitchen\n:fire")  # a room ending in a newline: `$` matches before it, a group name may hold it
    for text in bad:
        await console.send_to(text_data=text)
        got = await frame(console)
        assert isinstance(got, dict) and isinstance(got.get("error"), str), (
            f'the frame {text[:60]!r} names no room a group can have (or no text): expected {{"error": ...}} on the '
            f"console's socket and the socket kept open, got {got}: bad input never crashes a consumer"
        )
    await console.send_to(bytes_data=b"lobby:fire")
    got = await frame(console)
    assert isinstance(got, dict) and "error" in got, (
        f'a binary frame is no "<room>:<text>": expected an error, got {got}'
    )
    proved("bad frames", len(bad) + 1)
    await console.send_to(text_data="hall:drill")
    await sounded(console, "hall")
    await close_all(console)


async def test_every_chat_room_name_is_sounded_as_given():
    console = await connect(load("06.3", RULE).AlarmConsumer.as_asgi())
    # Rooms at the edges of the chat's names (lesson 04): - and _, capitals (kept as given), all 50 characters.
    for room in ("First_floor-2", "R" * 50, "7"):
        member, text = await member_of(f"chat-{room}"), f"{room}:drill"
        await console.send_to(text_data=text)
        got = await frame(console)
        assert got == {"sounded": room}, (
            f"the frame {text!r} names a chat room (1-50 letters, digits, _ or -, in the case given): "
            f'expected {{"sounded": "{room}"}}, got {got}'
        )
        heard = queued(member)
        assert heard == [alarm("drill")], (
            f'the console was told it sounded in {room!r}, and the group "chat-{room}" had {heard}: the group is '
            "the room's name as given, never changed (lowercased, trimmed), or its sockets never hear it"
        )
    member, text = await member_of("chat-hall"), "hall:fire in the kitchen\nleave by the back door"
    await console.send_to(text_data=text)
    got, heard = await frame(console), queued(member)
    assert (got, heard) == ({"sounded": "hall"}, [alarm(text.partition(":")[2])]), (
        f"the frame {text!r} names the room hall and an alarm of two lines: expected {{'sounded': 'hall'}} and "
        f"the whole text in the room, got {got} and the room had {heard}: the text is everything after the first "
        "colon, line breaks too (a pattern's . matches no line break)"
    )
    proved("boundaries", 1)
    await close_all(console)


async def test_a_layer_that_fails_is_never_told_to_the_console_as_sounded(monkeypatch):
    console = await connect(load("06.3", RULE).AlarmConsumer.as_asgi())

    async def down(group, message):  # what a Redis that is down raises on every call
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(get_channel_layer(), "group_send", down)
    await console.send_to(text_data="kitchen:fire")
    await failure_not_swallowed(
        console,
        "the layer's group_send raised ConnectionError (its Redis is down)",
        "the console",
        "no room heard the alarm, and a console that is told it sounded, or is left waiting, lets the staff "
        "believe it did",
        wrong="sounded",
    )
