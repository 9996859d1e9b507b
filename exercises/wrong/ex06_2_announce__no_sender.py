"""The chat's message carries its sender: {"sender": "announce"}.

A classic wrong solution to exercise 06.2: the message has no sender.
The check says: ""sender": "announce""
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def announce(room: str, text: str) -> None:
    """Send `text` to every socket in the chat room `room`."""
    layer = get_channel_layer()
    async_to_sync(layer.group_send)(f"chat-{room}", {"type": "chat.message", "message": text})
