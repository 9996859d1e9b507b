"""Check 06.3 (fix): async code awaits the layer; async_to_sync is only for synchronous callers."""

import asyncio
import inspect
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from exercises.checks import answer
from exercises.checks.fixlab import load
from lessons.channel_config import IN_MEMORY

RULE = (
    "In async code, await channel_layer.group_send(...) directly; async_to_sync is for synchronous callers "
    "(views, commands) only"
)


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """The in-memory layer whatever REDIS_URL says: no stale members from a Redis a student set up."""
    settings.CHANNEL_LAYERS = IN_MEMORY


async def member_of(group: str) -> str:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


async def heard(channel: str) -> dict | str:
    try:
        async with asyncio.timeout(1):
            return await get_channel_layer().receive(channel)
    except TimeoutError:
        return "nothing within 1 s"


async def test_a_frame_from_the_console_sounds_the_alarm_in_that_room():
    member = await member_of("chat-kitchen")
    communicator = WebsocketCommunicator(load("06.3", RULE).AlarmConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await communicator.send_to(text_data="kitchen:fire")
    try:
        got = await answer(communicator)
    except RuntimeError as error:  # what Daphne logs before closing the socket with 1011
        raise AssertionError(f"the consumer crashed: RuntimeError: {str(error).rstrip('.')}. {RULE}") from error
    assert isinstance(got, dict) and json.loads(got.get("text") or "null") == {"sounded": "kitchen"}, (
        f'expected {{"sounded": "kitchen"}} on the console\'s socket, got {got}'
    )
    message = await heard(member)
    assert message == {"type": "chat.message", "message": "fire", "sender": "alarm"}, (
        f"expected the alarm's chat.message in the group chat-kitchen, got {message}"
    )
    await communicator.disconnect()


async def test_synchronous_code_can_still_sound_the_alarm():
    member = await member_of("chat-hall")
    sound_alarm = load("06.3", RULE).sound_alarm
    assert not inspect.iscoroutinefunction(sound_alarm), (
        f"sound_alarm is now async: a view calling sound_alarm(room, text) only builds a coroutine and sends "
        f"nothing. {RULE}"
    )
    # A view runs in a thread of its own, as Django runs every sync view under ASGI.
    await sync_to_async(sound_alarm)("hall", "drill")
    message = await heard(member)
    assert message == {"type": "chat.message", "message": "drill", "sender": "alarm"}, (
        f"sound_alarm('hall', 'drill') called from synchronous code sent {message}. {RULE}"
    )
