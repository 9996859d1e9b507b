"""Exercise 15.2, solved: a named function for on_commit, as db_demo/signals.py does."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def broadcast(post: dict) -> None:
    """Called after COMMIT: send the post to every liveblog socket."""
    async_to_sync(get_channel_layer().group_send)("liveblog", {"type": "post.published", "post": post})


def announce(post: dict) -> None:
    """Called right after a Post is saved, maybe inside the saving transaction."""

    def broadcast_saved_post() -> None:  # a function has the __qualname__ Django's log line reads
        broadcast(post)

    transaction.on_commit(broadcast_saved_post, robust=True)
