"""Exercise 15.2 (fix): Saving must not fail because the channel layer is down.

announce(post) is what a post_save receiver calls: after the transaction
commits, broadcast(post) sends the post to the liveblog group. With
robust=True Django should log a failed broadcast and keep the save. It does not:
with the layer down, this announce() raises

    AttributeError: 'functools.partial' object has no attribute '__qualname__'

out of the save, because Django 5.2 names the failed callback by its
__qualname__ in that log line, and a partial has none (Django ticket #36487).
Fix announce() so the broadcast still waits for COMMIT, a failed one is logged,
and the save never fails.

Edit this file, then check it:

    python manage.py exercise 15.2

The check is exercises/15_2_robust_broadcast/check.py; once you have tried,
`python manage.py exercise 15.2 --solution` shows where the solution is.
"""

from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def broadcast(post: dict) -> None:
    """Called after COMMIT: send the post to every liveblog socket."""
    async_to_sync(get_channel_layer().group_send)("liveblog", {"type": "post.published", "post": post})


def announce(post: dict) -> None:
    """Called right after a Post is saved, maybe inside the saving transaction."""
    # TODO: this is the line that breaks the save when the layer is down. Keep on_commit and robust=True.
    transaction.on_commit(partial(broadcast, post), robust=True)
