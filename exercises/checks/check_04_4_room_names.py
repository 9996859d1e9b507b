"""Check 04.4 (fix): a group name is valid for every room name, and different rooms never share a group."""

import json

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import re_path

from exercises.checks import answer
from exercises.checks.fixlab import load
from lessons.channel_config import IN_MEMORY

RULE = (
    "A group name is < 100 ASCII letters, digits, hyphens, underscores or periods, and one group per room: "
    "derive it from the room name so that every name is valid and different rooms stay apart"
)


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """The in-memory layer whatever REDIS_URL says: no stale members from a Redis a student set up."""
    settings.CHANNEL_LAYERS = IN_MEMORY


def app() -> URLRouter:
    consumer = load("04.4", RULE).NamedRoomConsumer
    return URLRouter([re_path(r"^ws/fixchat/(?P<room>[^/]+)/$", consumer.as_asgi())])


async def joined(room: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app(), f"/ws/fixchat/{room}/")
    try:
        connected, _ = await communicator.connect(timeout=1)
    except TypeError as error:  # what the server logs for that handshake
        raise AssertionError(f"room {room!r}: the handshake crashed: TypeError: {error} {RULE}") from error
    assert connected, f"room {room!r}: expected the socket to be accepted"
    greeting = await answer(communicator)
    assert isinstance(greeting, dict) and json.loads(greeting.get("text") or "null") == {"room": room}, (
        f'room {room!r}: expected {{"room": {room!r}}} first, got {greeting}'
    )
    return communicator


@pytest.mark.parametrize("room", ["lobby", "café", "tea & cake", "x" * 120])
async def test_any_room_name_opens_and_its_messages_go_round(room):
    first, second = await joined(room), await joined(room)
    await first.send_to(text_data="hi")
    got = await answer(second)
    assert isinstance(got, dict) and json.loads(got.get("text") or "null") == {"message": "hi"}, (
        f'room {room!r}: expected {{"message": "hi"}} on the other socket, got {got}'
    )
    await first.disconnect()
    await second.disconnect()


@pytest.mark.parametrize(("room", "other"), [("Tea Cake", "tea-cake"), ("café", "cafe"), ("x" * 120, "x" * 119 + "y")])
async def test_two_different_rooms_never_hear_each_other(room, other):
    here, there = await joined(room), await joined(other)
    await here.send_to(text_data="only for this room")
    await answer(here)  # its own copy
    assert await there.receive_nothing(timeout=0.3), (
        f"a message in room {room!r} reached room {other!r}: they share one group. {RULE}"
    )
    await here.disconnect()
    await there.disconnect()
