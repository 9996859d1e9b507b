"""Check 06.2: announce to a chat room from synchronous code."""

import asyncio

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from exercises.checks import target


async def test_an_announcement_reaches_a_member_of_the_room():
    layer = get_channel_layer()
    member = await layer.new_channel()
    await layer.group_add("chat-lobby", member)
    await sync_to_async(target("06.2").announce)("lobby", "tea is ready")
    try:
        async with asyncio.timeout(1):
            got = await layer.receive(member)
    except TimeoutError:
        got = "nothing within 1 s"
    assert isinstance(got, dict) and got.get("type") == "chat.message", (
        f'expected a chat.message in the group "chat-lobby", got {got}: from sync code, '
        "async_to_sync(layer.group_send)(...) runs the layer's coroutine"
    )
    expected = {"type": "chat.message", "message": "tea is ready", "sender": "announce"}
    assert got == expected, f'expected the message with "sender": "announce", {expected}, got {got}'
