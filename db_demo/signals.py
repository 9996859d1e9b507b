"""The liveblog's sending side: a saved Post goes to every `ws/liveblog/` socket.

Runs in whatever process saved the Post (Daphne serving the admin, `manage.py
shell`, `manage.py post`), so it reaches sockets in other processes only
through a shared channel layer (Redis). See lessons/08-database.md.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from db_demo.models import Post

LIVEBLOG_GROUP = "liveblog"


@receiver(post_save, sender=Post)
def announce_saved_post(sender, instance: Post, **kwargs) -> None:
    """Called by Django right after a Post is saved, still inside the saving transaction."""
    # Not yet: the transaction may still roll back, and a socket must never
    # see a post the database does not keep. on_commit runs the send after
    # COMMIT, and drops it on ROLLBACK. Outside a transaction it runs at once.
    post = instance.as_frame()  # the post as saved, taken now

    def send_saved_post() -> None:
        send_post(post)

    # robust=True: if the layer is down, log the error; the post stays saved. A
    # function, not functools.partial(send_post, post): Django 5.2 names the failed
    # callable in that log line by its __qualname__, which a partial lacks, so the
    # logging raised AttributeError out of save() (Django ticket #36487, lesson 15).
    transaction.on_commit(send_saved_post, robust=True)


def send_post(post: dict) -> None:
    """Called after COMMIT: hand the post to every liveblog socket's consumer."""
    channel_layer = get_channel_layer()
    # A sync caller (a view, a command) drives the async layer API through async_to_sync.
    async_to_sync(channel_layer.group_send)(LIVEBLOG_GROUP, {"type": "post.published", "post": post})
