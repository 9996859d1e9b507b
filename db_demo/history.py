"""The room chat's ORM work, in small named functions.

The ORM is synchronous, so async code must run these in a worker thread.
`recent_messages` is a plain function: the consumer wraps it where it calls it,
`await database_sync_to_async(recent_messages)(room)`. `save_message` is
wrapped once, by the decorator, so every caller simply awaits it.
See lessons/08-database.md.
"""

from channels.db import database_sync_to_async

from db_demo.models import ChatMessage

HISTORY_LIMIT = 50


def recent_messages(room: str, limit: int = HISTORY_LIMIT) -> list[dict]:
    """The room's newest `limit` messages as frames, oldest first (sync: run it in a thread)."""
    newest_first = ChatMessage.objects.filter(room=room).order_by("-id")[:limit]
    # list() runs the query HERE, in the worker thread. A lazy queryset handed
    # back to async code would run later, on the event loop, and raise
    # SynchronousOnlyOperation.
    return [message.as_frame() for message in reversed(list(newest_first))]


@database_sync_to_async
def save_message(room: str, text: str, sender: str) -> dict:
    """Save one accepted chat message; return the frame to broadcast, with its new id."""
    return ChatMessage.objects.create(room=room, text=text, sender=sender).as_frame()
