"""Rooms a check opens: a socket greeted in its room, the group it is in (here and in another process), who left.

Checks 04.3, 04.4 and 04.5 judge a chat room on the in-memory layer, whose groups a check can read: a room is
right when each socket is in its group the moment it is open, no other room's socket shares that group, and a
socket whose network dropped has left it.
"""

import asyncio
import json
import os
import sys

import pytest
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from exercises.probes.waits import frame
from exercises.targets import REPO_DIR
from harness.patience import COMMAND, FRAME


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
        """The URL of `room`'s socket, its name as the client typed it."""
        return "/" + self.route.replace("<str:room>", room)

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
