"""Wrong 15.2: catches the error itself, but sends at once: a socket sees a post a rollback may undo.

The check says: "the post was sent before COMMIT"
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def broadcast(post: dict) -> None:
    async_to_sync(get_channel_layer().group_send)("liveblog", {"type": "post.published", "post": post})


def announce(post: dict) -> None:
    try:
        broadcast(post)
    except Exception:
        logger.exception("could not broadcast post %s", post.get("id"))
