"""Rooms a check opens: a socket greeted in its room, the group it is in (here and in another process), who left.

Checks 04.3, 04.4 and 04.5 judge a chat room on the in-memory layer, whose groups a check can read: a room is
right when each socket is in its group the moment it is open, no other room's socket shares that group, every
socket hears each message (heard_in_room(), which names whose consumer crashed), and a socket whose network
dropped has left it (first_one_leaves()). a_room_of_round_trips is a fixture: a check imports it by name. For 04.4,
what a group keeps of its digest (digest_bits()) and names NFC and NFD spell apart (spelled_two_ways()).
"""

import asyncio
import contextlib
import gc
import json
import math
import os
import sys
import time
import unicodedata

import pytest
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from exercises.probes.communicators import connect, ends_on_disconnect, members
from exercises.probes.layers import RoundTripLayer
from exercises.probes.loading import proved
from exercises.probes.unawaited import UNAWAITED, unawaited_told
from exercises.probes.waits import NOTHING, WAITED, frame, next_output, text_of_bytes
from exercises.targets import REPO_DIR
from harness.patience import COMMAND, FRAME


@pytest.fixture
async def a_room_of_round_trips(app, in_memory_layer, monkeypatch):
    """The in-memory layer (groups a check can read), its group_add a Redis round trip; `app` warmed up; unawaited told.

    A check imports it by name and names it in `pytestmark = pytest.mark.usefixtures(...)`: one socket of the check's
    `app` fixture is opened and closed before any lag is measured, and a coroutine never awaited is told
    in the sentence of the test that meets it (unawaited_told()), the warm-up's own forgotten.
    """
    monkeypatch.setitem(channel_layers.backends, DEFAULT_CHANNEL_LAYER, RoundTripLayer(add=0.02, discard=0))
    with unawaited_told() as told:
        await warmed_up(app)
        gc.collect()
        told.caught.clear()  # the warm-up's own
        yield


async def warmed_up(app) -> None:
    """warm_up()'s one socket, opened and closed, its consumer's end awaited as ends_on_disconnect() awaits it.

    asgiref's disconnect(), which warm_up() calls, waits out all of FRAME for a consumer that never ends (no
    StopConsumer, a mistake the tests tell): this wait ends once it asks for another event instead. Whatever it
    raises is left for the tests to tell, in their own sentence, as warm_up() leaves it.
    """
    communicator = WebsocketCommunicator(app, "/")
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await communicator.connect(timeout=FRAME)
        await ends_on_disconnect(communicator)
    await get_channel_layer().flush()


def occupied() -> list[str]:
    """The in-memory layer's groups that hold a channel now: where the open sockets are."""
    return [group for group, channels in get_channel_layer().groups.items() if channels]


class RoutedRooms:
    """A room consumer served as the course serves it, the room name in its URL: its sockets and their groups.

    `route` is the URL pattern ("ws/fixchat/<str:room>/"), `consumer()` gives the class under check
    (called each time, so the kit's target is the one loaded), and `rule` is what a crash breaks.
    """

    def __init__(self, route: str, consumer, rule: str):
        self.route, self.consumer, self.rule = route, consumer, rule

    def app(self, consumer=None) -> URLRouter:
        """The router, serving `consumer` (a watched subclass) or else the class under check."""
        return URLRouter([path(self.route, (consumer or self.consumer()).as_asgi())])

    def path(self, room: str) -> str:
        """The URL of `room`'s socket, its name as the client typed it, percent-encoded as a browser sends it.

        A "?" or "#" in a name a client typed is sent as %3F and %23: unencoded, the communicator (as a server
        would) reads the rest as the query or the fragment, and the route is not found for a name it takes.
        """
        from urllib.parse import quote

        return "/" + self.route.replace("<str:room>", quote(room, safe=""))

    async def joined(self, room: str, consumer=None) -> WebsocketCommunicator:
        """A socket in `room`, accepted and greeted {"room": room}; a handshake that crashes is told with the rule.

        Channels raises TypeError for an invalid group name (a room name kept as it is) inside the
        handshake: the server logs it and the client sees the socket refused, so the check says both.
        """
        communicator = WebsocketCommunicator(self.app(consumer), self.path(room))
        try:
            assert (await communicator.connect(timeout=FRAME))[0], f"room {room!r}: expected the socket to be accepted"
        except TypeError as error:  # what the server logs for that handshake
            pytest.fail(
                f"room {room!r}: the handshake crashed, and the server logs TypeError: {error} {self.rule}", False
            )
        got = await frame(communicator)
        assert got == {"room": room}, f'room {room!r}: greeted {got}, not {{"room": …}}'
        return communicator

    async def group_of(self, room: str) -> str:
        """The one group a socket of `room` is in while it is open (it is closed again before this returns)."""
        communicator = WebsocketCommunicator(self.app(), self.path(room))
        await communicator.connect(timeout=FRAME)
        found = occupied()
        await communicator.disconnect(timeout=FRAME)
        assert len(found) == 1, f"room {room!r}: expected its socket in one group, got {found}"
        return found[0]


def shown(room: str) -> str:
    """A room name for a sentence: a long one cut to its first 40 characters, with its length and its end."""
    return repr(room) if len(room) <= 40 else f"{room[:40]!r}... ({len(room)} characters, ending {room[-3:]!r})"


# RoutedRooms.group_of() in a server process of its own: each room of argv[3]'s group, in turn.
ELSEWHERE = """
import asyncio, django.conf, json, runpy, sys
django.conf.settings.configure(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}})
django.setup()
group_of = runpy.run_path(sys.argv[1])[sys.argv[2]].group_of
async def main(): print(json.dumps([await group_of(room) for room in json.loads(sys.argv[3])]))
asyncio.run(main())
"""


async def groups_elsewhere(check_file: str, name: str, rooms: list[str]) -> list[str]:
    """The groups `rooms` join in a second server process, seeded otherwise: the check's RoutedRooms `name` there.

    Two server processes on one Redis must put a room in one group: Python's hash() of a str is
    seeded afresh in every process (PYTHONHASHSEED), so the other process gets another seed than
    this one. The exercise's target (EXERCISE_TARGET) goes with the environment.
    """
    seed = str(int(os.environ.get("PYTHONHASHSEED", "0") or 0) + 1)  # another seed than this process's
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", ELSEWHERE, check_file, name, json.dumps(rooms), cwd=REPO_DIR,
        env={**os.environ, "PYTHONHASHSEED": seed}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), COMMAND)
    assert process.returncode == 0, f"a second server process could not open the rooms: {err.decode()[-300:]}"
    return json.loads(out)


async def heard_in_room(communicator, who: str, rule: str, everyone: dict | None = None, must: bool = False) -> object:
    """The next frame `who`'s socket receives, decoded from JSON (its text as it came, if not JSON); else NOTHING.

    A crash is told by whose consumer it was, with what it raised and `rule`: `who`'s own, or once
    nothing came, one of `everyone`'s ({name: communicator}), such as the sender whose broadcast
    crashed. With `must`, silence fails too, naming a coroutine Python warned was never awaited
    (unawaited_told() records them): the sentence a student meets for a layer call made and never run.
    """
    everyone, got, began = everyone or {}, NOTHING, time.monotonic()
    if not communicator.future.cancelled():  # an earlier wait gave up on a silent consumer and stopped it
        try:
            got = await next_output(communicator, FRAME)
        except TimeoutError:
            pass
        except Exception as error:  # the server logs this traceback and closes the socket with 1011
            crashed_in_room(who, error, rule, everyone)
    if got == NOTHING:
        for name, other in everyone.items():  # the sender's consumer crashed: its socket closes with 1011
            if other.future.done() and not other.future.cancelled() and other.future.exception():
                crashed_in_room(name, other.future.exception(), rule, everyone)
        # The wait ends once nothing left running could still send (quiet.py), or at FRAME: the sentence says which.
        how = f" within {WAITED}" if time.monotonic() - began >= FRAME else ", and nothing left running could send it"
        assert not must, f"{who} heard nothing{how}{UNAWAITED.said()}. {rule}"
        return NOTHING
    if got.get("type") != "websocket.send" or text_of_bytes(got):
        return text_of_bytes(got) or got
    try:
        return json.loads(got.get("text") or "null")
    except ValueError:  # not JSON: the assertion shows what arrived instead of {"message": m}
        return got.get("text")


def crashed_in_room(who: str, error: BaseException, rule: str, everyone: dict) -> None:
    """Fail, saying `who`'s consumer crashed with `error`; every socket of `everyone` stopped, none left unread."""
    for other in everyone.values():  # stopped, and the end of each that crashed collected: pytest warns of none
        other.stop(exceptions=False)
        if other.future.done() and not other.future.cancelled():
            other.future.exception()
    raise AssertionError(
        f"{who}'s consumer crashed with {type(error).__name__}: {error}; the server logs that traceback and "
        f"closes {who}'s socket with 1011. {rule}"
    ) from None


async def first_one_leaves(application, group: str, how: str = "", said=str) -> tuple[bool, object]:
    """Alice, then bob, join `group`; alice's network drops (1006): her channel has left it, and bob's stays.

    One after the other, so each socket's channel is known; alice is the first one in, since a
    channel name kept on the class is the last socket's. `how` says how a consumer leaves, and
    `said()` adds to the sentence (UNAWAITED.said). Returns whether alice's consumer ended
    (ends_on_disconnect()) and bob's socket, still open.
    """
    opened, channels = [], []
    for _ in range(2):
        before = members(group)
        opened.append(await connect(application, "/"))
        channels.append(members(group) - before)
    proved("sockets", 2)
    assert all(len(joined) == 1 for joined in channels), f"each socket joins the group {group!r}, got {channels}"
    ended = await ends_on_disconnect(opened[0], 1006)
    assert not channels[0] & members(group) and channels[1] <= members(group), (
        f"after alice's socket closed (code 1006, a lost network) the group {group!r} holds {sorted(members(group))}:"
        f" a closed socket leaves the group with its own self.channel_name{how} whatever its close code, and the "
        f"others stay in it{said()}"
    )
    return ended, opened[1]


def digest_bits(groups: list[str]) -> tuple[int, int, float]:
    """What the groups of many rooms keep of their digest: (characters that vary, kinds of character, bits)."""
    start = 0
    while start < min(map(len, groups)) and len({group[start] for group in groups}) == 1:
        start += 1  # a prefix every group shares ("chat_") keeps no room apart
    end = 0
    while end < min(map(len, groups)) - start and len({group[len(group) - 1 - end] for group in groups}) == 1:
        end += 1  # nor does a shared suffix
    varying = [group[start : len(group) - end] for group in groups]
    length, kinds = min(map(len, varying)), len(set("".join(varying)))
    return length, kinds, length * math.log2(max(kinds, 2))


def spelled_two_ways():
    """Room names Hypothesis draws that Unicode's NFC and NFD spell differently (é as one code point, or e and ◌́)."""
    from hypothesis import strategies as st

    accented = [c for c in map(chr, range(0xC0, 0x3100)) if unicodedata.normalize("NFD", c) != c]
    text = st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="/"), max_size=12)
    name = st.builds(lambda a, c, b: unicodedata.normalize("NFC", a + c + b), text, st.sampled_from(accented), text)
    return name.filter(lambda room: unicodedata.normalize("NFD", room) != room)
