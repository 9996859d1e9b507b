"""Solution 06.2: announce to a chat room from synchronous code.

Why this way: get_channel_layer() needs no consumer, and async_to_sync runs
the layer's coroutine from sync code such as a view or a management command
(lesson 06's layers_demo/announce.py).
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def announce(room: str, text: str) -> None:
    """Send `text` to every socket in the chat room `room`."""
    layer = get_channel_layer()
    async_to_sync(layer.group_send)(f"chat-{room}", {"type": "chat.message", "message": text, "sender": "announce"})
