"""Alternative 15.2, functools.update_wrapper: the partial keeps its post and gets broadcast's __name__ and __qualname__.

Still right: on_commit still runs the broadcast after COMMIT with robust=True; update_wrapper copies
broadcast's names onto the partial object, so Django's log line for a failed callback can name it,
the failure is logged and the save goes on.
"""

from functools import partial, update_wrapper

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def broadcast(post: dict) -> None:
    """Called after COMMIT: send the post to every liveblog socket."""
    async_to_sync(get_channel_layer().group_send)("liveblog", {"type": "post.published", "post": post})


def announce(post: dict) -> None:
    """Called right after a Post is saved, maybe inside the saving transaction."""
    transaction.on_commit(update_wrapper(partial(broadcast, post), broadcast), robust=True)
