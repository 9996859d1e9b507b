"""Wrong 15.2: no partial, but no robust=True either: the layer's error now leaves save() instead.

The check says: "the save failed because the layer is down"
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def broadcast(post: dict) -> None:
    async_to_sync(get_channel_layer().group_send)("liveblog", {"type": "post.published", "post": post})


def announce(post: dict) -> None:
    transaction.on_commit(lambda: broadcast(post))
