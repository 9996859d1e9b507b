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

A Redis that is down makes group_send raise redis-py's
redis.exceptions.ConnectionError, which is NOT Python's built-in
ConnectionError (it derives from redis.exceptions.RedisError, so
`except ConnectionError` misses it); a Redis that is up but hung raises
redis-py's TimeoutError.

Rules (the check proves each one, and nothing else):

1. The save never fails because of the broadcast: announce() and the COMMIT
   raise nothing when the layer's Redis refuses the connection or answers too
   slowly, inside a transaction or in autocommit, and no thread of its own
   raises either.
2. A failed broadcast is logged at WARNING or above, with its error.
3. The post is sent to the group "liveblog" only after COMMIT, on the
   server's event loop (async_to_sync, never a loop of its own).
4. A rolled-back save sends nothing, now or with a later COMMIT; two posts
   saved in one transaction are each sent once, in order.
5. The module imports, and nothing in it sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
