"""Check 17.1 (build): online means seen within TTL seconds, per student, whatever their sockets do.

A named socket is online and its heartbeats keep it there; a laptop that sleeps with its socket open goes offline
after TTL; a student on two sockets stays online when one ends; each socket speaks for its own student only; bad
frames get an error and put no one online.
"""

import functools
import json
import uuid
from types import SimpleNamespace

import pytest

from exercises.probes import bad_frames, cancelled, close_all, connect, ends_on_disconnect, frame, load
from exercises.probes import never_blocks, nothing_more, proved, refused_with_error

RULE = "A student is online while their newest frame from any of their sockets is at most TTL s old: a time per student"
TTL = 60
HEARTBEAT = '{"here": true}'
BINARY, DEEP = b"\x00\xff\xfe", "[" * 100_000  # neither a name nor a heartbeat (not UTF-8; RecursionError to decode)
# Frames a named socket must refuse: anything but the heartbeat, a second name included; names that are none.
NOT_HEARTBEATS = ["not json", "1", "true", "[]", "{}", '{"here": false}', '{"here": 1}', '{"here": "true"}', DEEP]
NOT_NAMES = [json.dumps({"name": name}) for name in ("   ", "x" * 41, "ali\nce", "alice\u001b[2J", "\t", "bob\u200b")]
module = functools.partial(load, "17.1", RULE)  # the module under check


@pytest.fixture
def now(monkeypatch):
    """The module's clock, moved by the check (now.at is what clock() returns) instead of waiting."""
    assert module().TTL == TTL, f"keep TTL = {TTL}: the room counts a minute of silence as away"
    moment = SimpleNamespace(at=10.0)  # a small clock, as soon after boot: a gap is a difference, not a remainder
    monkeypatch.setattr(module(), "clock", lambda: moment.at)
    return moment


def fresh(who: str, length: int = 12) -> str:
    """A name no other test uses (the module's state lives as long as the check's process)."""
    return (f"{who}-{uuid.uuid4().hex}" + "x" * 40)[:length]


def online() -> list:
    listed = module().online()
    assert isinstance(listed, list) and listed == sorted(listed), f"online() must return a sorted list, got {listed!r}"
    assert len(set(listed)) == len(listed), (
        f"online() lists {sorted({n for n in listed if listed.count(n) > 1})} more than once: a student on two "
        f"sockets is one student, listed once (a time per student, not per socket). {RULE}"
    )
    return listed


async def joined(name: str, socket=None):
    """A socket (a new one, or `socket` not yet named) that named itself `name`, answered {"joined": name}."""
    socket = socket or await connect(module().OnlineConsumer.as_asgi())
    await socket.send_to(text_data=json.dumps({"name": name}))
    got = await frame(socket)
    assert got == {"joined": name}, (
        f'a socket\'s first name {{"name": "{name}"}} must be answered {{"joined": "{name}"}}, got {got}: a name is 1 '
        "to 40 printable characters (spaces and punctuation are printable too), counted as characters (zoë is 3), not "
        "as UTF-8 bytes (a socket's bad frames before it do not count)"
    )
    return socket


async def beat(socket) -> None:
    await socket.send_to(text_data=HEARTBEAT)
    assert await nothing_more(socket, 0.05), "a heartbeat is not answered"


async def test_a_named_socket_is_online_and_its_heartbeats_keep_it_there(now):
    name = fresh("Zoë d'Arc (名前)", 40)  # the longest name allowed: 40 characters, more bytes in UTF-8, a space too
    async with never_blocks(0.5):
        alice = await joined(name)
        assert name in online(), f'right after {{"joined": ...}}, online() must list {name!r}, got {online()}'
        for _ in range(3):  # 150 s in all, never more than 50 s without a frame
            now.at += 50
            await beat(alice)
        assert name in online(), (
            f"a student whose heartbeat came every 50 s for 150 s is not listed (TTL is {TTL} s): each frame "
            "must move the student's time in last_seen, read with clock()"
        )
        await close_all(alice)


async def test_a_laptop_that_sleeps_with_its_socket_open_goes_offline_after_ttl(now):
    async with never_blocks(0.5):
        laptop = await joined(name := fresh("sleepy"))
        now.at += TTL
        assert name in online(), f"a student whose newest frame is exactly {TTL} s old is still online (at most TTL)"
        now.at += 0.5
        assert name not in online(), (
            f"a laptop asleep with its socket open, silent for {TTL + 0.5} s, is still listed: a ghost (read every "
            f"time with clock(), which the check moves, not with time.monotonic() itself). {RULE}"
        )
        await beat(laptop)
        assert name in online(), "the laptop woke and sent a heartbeat: online again"
        now.at += TTL + 1
        again = await joined(name)  # asleep too long: its socket was dropped, and the laptop opens a new one
        assert name in online(), (
            f'{name!r} was away {TTL + 1} s, then a new socket joined as them and got {{"joined": ...}}, yet online() '
            "does not list them: joining is a frame too, and sets the student's time even if the name is in last_seen"
        )
        await close_all(laptop, again)


async def test_a_student_on_two_sockets_stays_online_when_one_ends(now):
    async with never_blocks(0.5):
        watch, run = await joined(name := fresh("bob")), await joined(name)
        assert await ends_on_disconnect(run), (
            "the consumer was still running after websocket.disconnect, until the test cancelled it: nothing needs "
            "undoing when a socket closes, but websocket_disconnect must still raise StopConsumer()"
        )
        assert name in online(), (
            "one of a student's two sockets closed and online() no longer lists them, though their other socket "
            f"is open and spoke 0 s ago. {RULE}"
        )
        now.at += 40
        await beat(watch)
        await cancelled(await joined(name))  # a server's cancel: no websocket.disconnect comes
        now.at += 40
        assert name in online(), f"{name!r} beat 40 s ago on a socket still open, but is not listed. {RULE}"
        await close_all(watch)
    proved("sockets", 3)


async def test_each_socket_speaks_for_its_own_student_only(now):
    async with never_blocks(0.5):
        alice, bob = await joined(alice_name := fresh("alice")), await joined(bob_name := fresh("bob"))
        for socket, other in ((bob, alice_name), (alice, fresh("mallory")), (alice, alice_name)):
            await refused_with_error(socket, json.dumps({"name": other}))  # a socket is named once, by itself
        now.at += 50
        await beat(alice)
        now.at += 20
        assert (listed := [n for n in online() if n in (alice_name, bob_name)]) == [alice_name], (
            f"alice beat 20 s ago and bob has been silent for 70 s, so only alice is online, got {listed}: each "
            "socket's name belongs to that socket (self, never the class), and a heartbeat moves only its time"
        )
        await bob.send_to(text_data=json.dumps({"here": True, "name": alice_name}))  # a heartbeat that names alice
        await nothing_more(bob, 0.05)  # bob's own heartbeat, or an error: either way never alice's
        now.at += 50
        assert alice_name not in online(), (
            'alice has been silent for 70 s, and bob\'s socket sent {"here": true, "name": <alice>} 50 s ago: it '
            "kept her online. A socket speaks for the name it joined with, whatever a later frame says"
        )
        await close_all(alice, bob)


async def test_bad_frames_get_an_error_and_put_no_one_online(now):
    before = set(online())
    unnamed = bad_frames("name", "alice", extra=(*NOT_NAMES, HEARTBEAT, DEEP, BINARY))
    async with never_blocks(0.5):
        socket = await connect(module().OnlineConsumer.as_asgi())
        for text in unnamed:
            await refused_with_error(socket, text)
        assert set(online()) == before, f"frames that name no one put {set(online()) - before} online"
        await joined(fresh("carol"), socket)  # after its bad frames, the same socket can still join
        for text in [*NOT_HEARTBEATS, BINARY]:
            await refused_with_error(socket, text)
        await close_all(socket)
    proved("bad frames", len(unnamed) + len(NOT_HEARTBEATS) + 1)
