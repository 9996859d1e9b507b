"""Alternative 15.2, the callback catches every Exception itself and logs it with its traceback, without robust=True.

Still right: `except Exception` catches redis-py's ConnectionError and TimeoutError alike (neither is
Python's built-in ConnectionError, but both are Exceptions), logger.exception() logs at ERROR with the
error, and a plain on_commit still waits for COMMIT, drops the callback on a rollback, and runs it at
once in autocommit, where the except keeps the save alive too.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def broadcast(post: dict) -> None:
    """Called after COMMIT: send the post to every liveblog socket."""
    async_to_sync(get_channel_layer().group_send)("liveblog", {"type": "post.published", "post": post})


def announce(post: dict) -> None:
    """Called right after a Post is saved, maybe inside the saving transaction."""

    def broadcast_or_log() -> None:
        try:
            broadcast(post)
        except Exception:
            logger.exception("post %s was saved, but its broadcast failed", post.get("id"))

    transaction.on_commit(broadcast_or_log)
