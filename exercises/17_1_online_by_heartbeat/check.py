"""Check 17.1 (build): online means seen within TTL seconds, per student, whatever their sockets do.

A named socket is online and its heartbeats keep it there; a laptop that sleeps with its socket open goes offline
after TTL; a student on two sockets stays online when one ends; each socket speaks for its own student only; bad
frames get an error and put no one online.
"""

import json

import pytest

from exercises.probes import bad_frames, cancelled, close_all, connect, ends_on_disconnect, never_blocks
from exercises.probes import nothing_more, proved, refused_with_error
from exercises.probes.workshop_room import Room, fresh

EXERCISE = "17.1"
RULE = "A student is online while their newest frame from any of their sockets is at most TTL s old: a time per student"
TTL, HEARTBEAT = 60, '{"here": true}'  # a minute of silence is away; the frame that says "still here"
BINARY, DEEP = b"\x00\xff\xfe", "[" * 100_000  # neither a name nor a heartbeat (not UTF-8; RecursionError to decode)
# Frames a named socket must refuse: anything but the heartbeat, a second name included; names that are none.
NOT_HEARTBEATS = ["not json", "1", "true", "[]", "{}", '{"here": false}', '{"here": 1}', '{"here": "true"}', DEEP]
NOT_NAMES = [json.dumps({"name": name}) for name in ("   ", "x" * 41, "ali\nce", "alice\u001b[2J", "\t", "bob\u200b")]


@pytest.fixture
def room(module, monkeypatch) -> Room:
    """The module as its pages see it (`name in room`: online() lists them); room.at is what its clock() returns."""
    assert module.TTL == TTL, f"keep TTL = {TTL}: the room counts a minute of silence as away"
    return Room(monkeypatch, module, RULE, HEARTBEAT)


@pytest.mark.rule(1, 2, 3, 5)
async def test_a_named_socket_is_online_and_its_heartbeats_keep_it_there(room):
    name = fresh("Zoë d'Arc (名前)", 40)  # the longest name allowed: 40 characters, more bytes in UTF-8, a space too
    async with never_blocks(0.5):
        alice = await room.joined(name)
        assert name in room, f'right after {{"joined": ...}}, online() must list {name!r}, got {room.online()}'
        for _ in range(3):  # 150 s in all, never more than 50 s without a frame
            await room.beat(alice, after=50)
        assert name in room, (
            f"a student whose heartbeat came every 50 s for 150 s is not listed (TTL is {TTL} s): each frame "
            "must move the student's time in last_seen, read with clock()"
        )
        await close_all(alice)


@pytest.mark.rule(3)
async def test_a_laptop_that_sleeps_with_its_socket_open_goes_offline_after_ttl(room):
    async with never_blocks(0.5):
        laptop = await room.joined(name := fresh("sleepy"))
        room.at += TTL
        assert name in room, f"a student whose newest frame is exactly {TTL} s old is still online (at most TTL)"
        room.at += 0.5
        assert name not in room, (
            f"a laptop asleep with its socket open, silent for {TTL + 0.5} s, is still listed: a ghost (read every "
            f"time with clock(), which the check moves, not with time.monotonic() itself). {RULE}"
        )
        await room.beat(laptop)
        assert name in room, "the laptop woke and sent a heartbeat: online again"
        room.at += TTL + 1
        again = await room.joined(name)  # asleep too long: its socket was dropped, and the laptop opens a new one
        assert name in room, (
            f'{name!r} was away {TTL + 1} s, then a new socket joined as them and got {{"joined": ...}}, yet online() '
            "does not list them: joining is a frame too, and sets the student's time even if the name is in last_seen"
        )
        await close_all(laptop, again)


@pytest.mark.rule(3)
async def test_a_student_on_two_sockets_stays_online_when_one_ends(room):
    async with never_blocks(0.5):
        watch, run = await room.joined(name := fresh("bob")), await room.joined(name)
        assert await ends_on_disconnect(run), (
            "the consumer was still running after websocket.disconnect, until the test cancelled it: nothing needs "
            "undoing when a socket closes, but websocket_disconnect must still raise StopConsumer()"
        )
        assert name in room, (
            "one of a student's two sockets closed and online() no longer lists them, though their other socket "
            f"is open and spoke 0 s ago. {RULE}"
        )
        await room.beat(watch, after=40)
        await cancelled(await room.joined(name))  # a server's cancel: no websocket.disconnect comes
        room.at += 40
        assert name in room, f"{name!r} beat 40 s ago on a socket still open, but is not listed. {RULE}"
        await close_all(watch)
    proved("sockets", 3)


@pytest.mark.rule(2, 3, 4)
async def test_each_socket_speaks_for_its_own_student_only(room):
    async with never_blocks(0.5):
        alice, bob = await room.joined(alice_name := fresh("alice")), await room.joined(bob_name := fresh("bob"))
        for socket, other in ((bob, alice_name), (alice, fresh("mallory")), (alice, alice_name)):
            await refused_with_error(socket, json.dumps({"name": other}))  # a socket is named once, by itself
        await room.beat(alice, after=50)
        room.at += 20
        assert (listed := [n for n in room.online() if n in (alice_name, bob_name)]) == [alice_name], (
            f"alice beat 20 s ago and bob has been silent for 70 s, so only alice is online, got {listed}: each "
            "socket's name belongs to that socket (self, never the class), and a heartbeat moves only its time"
        )
        await bob.send_to(text_data=json.dumps({"here": True, "name": alice_name}))  # a heartbeat that names alice
        await nothing_more(bob, 0.05)  # bob's own heartbeat, or an error: either way never alice's
        room.at += 50
        assert alice_name not in room, (
            'alice has been silent for 70 s, and bob\'s socket sent {"here": true, "name": <alice>} 50 s ago: it '
            "kept her online. A socket speaks for the name it joined with, whatever a later frame says"
        )
        await close_all(alice, bob)


@pytest.mark.rule(1, 4, 5)
async def test_bad_frames_get_an_error_and_put_no_one_online(room):
    before = set(room.online())
    unnamed = bad_frames("name", "alice", extra=(*NOT_NAMES, HEARTBEAT, DEEP, BINARY))
    async with never_blocks(0.5):
        socket = await connect(room.module.OnlineConsumer.as_asgi())
        for text in unnamed:
            await refused_with_error(socket, text)
        assert set(room.online()) == before, f"frames that name no one put {set(room.online()) - before} online"
        await room.joined(fresh("carol"), socket)  # after its bad frames, the same socket can still join
        for text in [*NOT_HEARTBEATS, BINARY]:
            await refused_with_error(socket, text)
        await close_all(socket)
    proved("bad frames", len(unnamed) + len(NOT_HEARTBEATS) + 1)


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
