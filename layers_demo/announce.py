"""Sending to a chat room from synchronous code: a command, a view (lesson 06).

The layer's API is asynchronous. Synchronous code (a management command, a
plain Django view, a Celery task) wraps the call in `async_to_sync`, which runs
it on an event loop and waits for it.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from layers_demo.validation import ClientError, check_text, is_valid_room, room_group

# No user can be called this: Django usernames hold no brackets.
ANNOUNCER = "[announcement]"


def announce(room: str, text: str) -> None:
    """Send `text` to every socket in ws/chat/<room>/, or raise ClientError saying what is wrong."""
    if not is_valid_room(room):
        raise ClientError(f"expected a room name of 1 to 50 letters, digits, _ or -, got {room!r}")
    message = {"type": "chat.message", "message": check_text(text), "sender": ANNOUNCER}
    async_to_sync(get_channel_layer().group_send)(room_group(room), message)
