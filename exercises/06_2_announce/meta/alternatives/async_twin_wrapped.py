# An async twin that awaits group_send, and announce() running it through async_to_sync: still callable from sync code, the layer's coroutine run to the end.
"""Alternative 06.2: the announcement written as async code, and announce() its synchronous face.

async_to_sync(f)(...) runs a coroutine function to its end from sync code,
whether f is the layer's group_send or a function of ours that awaits it.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


async def announce_async(room: str, text: str) -> None:
    """The announcement, for async callers: await it."""
    message = {"type": "chat.message", "message": text, "sender": "announce"}
    await get_channel_layer().group_send("chat-" + room, message)


def announce(room: str, text: str) -> None:
    """Send `text` to every socket in the chat room `room`, from sync code (a view, a command)."""
    async_to_sync(announce_async)(room, text)
