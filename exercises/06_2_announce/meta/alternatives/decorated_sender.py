# async_to_sync used as a decorator over an async helper that awaits group_send: announce() calls it like any function.
"""Alternative 06.2: the async send decorated with @async_to_sync.

async_to_sync wraps a coroutine function into a plain one; as a
decorator it does so once, where the helper is defined.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


@async_to_sync
async def group_send(group: str, message: dict) -> None:
    """Called from sync code: runs the layer's group_send to its end on the server's loop."""
    await get_channel_layer().group_send(group, message)


def announce(room: str, text: str) -> None:
    """Send `text` to every socket in the chat room `room`."""
    group_send(f"chat-{room}", {"type": "chat.message", "message": text, "sender": "announce"})
