"""From sync code, a layer's coroutine runs only through async_to_sync.

A classic wrong solution to exercise 06.2: layer.group_send(...) is called bare, so its coroutine is never run.
The check says: "async_to_sync"
"""

from channels.layers import get_channel_layer


def announce(room: str, text: str) -> None:
    """Send `text` to every socket in the chat room `room`."""
    layer = get_channel_layer()
    layer.group_send(f"chat-{room}", {"type": "chat.message", "message": text, "sender": "announce"})
