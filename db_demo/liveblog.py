"""Lessons 08 and 12: the liveblog's socket, on a raw AsyncConsumer. It only listens.

The events, in the order they happen:
    websocket.connect    -> `since` present but not an id: websocket.accept, then
                            websocket.close 4400. Otherwise join the "liveblog" group;
                            websocket.accept; with ?since=<id>, websocket.send every saved
                            Post with a higher id (the 100 newest of them), oldest first
    post.published       -> websocket.send {"post": {"id", "title", "body"}}, unless the
                            replay already sent that very post (group_send by
                            db_demo/signals.py, after COMMIT); first, if its id skips
                            ids above the last one sent, the saved posts in between
    websocket.receive    -> {"error": ...}: this socket takes no input
    websocket.disconnect -> StopConsumer; __call__ then leaves the group (also when a
                            failed send ends the consumer without this event)
    (the layer fails)    -> websocket.close 4503: reconnect with ?since= (lesson 15)

No query for a live post: whoever saved it sent its fields along. The replay is
the one query, and GET /liveblog/events/ (db_demo/events.py) is its twin in
server-sent events. Lessons: lessons/08-database.md, lessons/12-delivery.md.
"""

import contextlib
import json
import logging
import re
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from redis.exceptions import RedisError

from db_demo.models import Post
from db_demo.signals import LIVEBLOG_GROUP

logger = logging.getLogger(__name__)
LAYER_UNAVAILABLE = 4503  # "the channel layer is down, reconnect later", as the chat closes (lesson 05)
REPLAY_LIMIT = 100  # a client away for longer gets the newest 100: reload the page for the rest


def since_id(scope: dict) -> int | None:
    """The ?since= post id; None without one. ValueError when it is there but not a non-negative integer."""
    values = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True).get("since")
    if values is None:
        return None
    # At most 18 digits: always within a 64-bit primary key. No sign, no dot, no exponent.
    if len(values) != 1 or not re.fullmatch(r"[0-9]{1,18}", values[0]):
        raise ValueError("since must be the id of the last post you saw, a non-negative integer")
    return int(values[0])


@database_sync_to_async
def newest_posts_after(since: int, limit: int = REPLAY_LIMIT) -> list[dict]:
    """The newest `limit` saved posts with an id above `since`, oldest first."""
    newest_first = Post.objects.filter(pk__gt=since).order_by("-pk")[:limit]
    return [post.as_frame() for post in reversed(list(newest_first))]


@database_sync_to_async
def posts_between(low: int, high: int, limit: int = REPLAY_LIMIT) -> list[dict]:
    """The saved posts with an id above `low` and below `high` (the oldest `limit`), oldest first."""
    return [post.as_frame() for post in Post.objects.filter(pk__gt=low, pk__lt=high).order_by("pk")[:limit]]


async def posts_to_send(post: dict, last_id: int | None, replayed: dict[int, dict]) -> list[dict]:
    """What a client is sent, oldest first, for a post that arrived from the layer.

    `last_id` is the highest post id the client has been sent; `replayed` holds what
    its replay (or an earlier gap) sent, which the layer may still bring. This socket
    and its twin in server-sent events (db_demo/events.py) both ask it.
    """
    # Saved while the replay ran: already sent, unless it has changed since (an update is news).
    if replayed.pop(post["id"], None) == post:
        return []
    if last_id is None or post["id"] <= last_id + 1:
        return [post]
    # The id skips ids above the last one sent. Mostly the skipped id is a rolled-back save,
    # and the query finds nothing. But a layer can lose a message without a word (pub/sub
    # while it resubscribes after a Redis failover, a broadcast that failed: lesson 15), and
    # an open socket would never ask for it again: a reconnect with ?since= (or EventSource's
    # Last-Event-ID) starts after the newest id it was sent.
    missed = await posts_between(last_id, post["id"])
    if missed:
        logger.warning("liveblog: %d post(s) before id %d never came through the layer", len(missed), post["id"])
    for each in missed:
        replayed[each["id"]] = each  # if its own message comes after all, it is dropped
    return [*missed, post]


class LiveblogConsumer(AsyncConsumer):
    """ws/liveblog/ (and ?since=<id>): every Post saved and committed, after a replay of the ones missed."""

    def __init__(self):
        self.replayed: dict[int, dict] = {}  # post id -> what the replay (or a gap fill) sent
        self.last_id: int | None = None  # the highest post id this socket has been sent

    async def websocket_connect(self, event):
        """Called when a client opens ws/liveblog/ or ws/liveblog/?since=<id>."""
        try:
            since = since_id(self.scope)
        except ValueError as error:
            # Accept first, so the client sees 4400: a refused handshake only shows HTTP 403.
            # The reason never echoes the input (it must fit in 123 bytes, and it is the client's).
            await self.send({"type": "websocket.accept"})
            await self.send({"type": "websocket.close", "code": 4400, "reason": str(error)})
            return
        # Join first, then read. A post saved in between is in both, and post_published
        # drops the second copy. Read first, then join, and a post saved in between is
        # in neither: lost (tests/test_12_delivery.py shows both wrong orders).
        await self.channel_layer.group_add(LIVEBLOG_GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        if since is not None:
            self.last_id = since
            for post in await newest_posts_after(since):
                self.replayed[post["id"]] = post
                await self.send_post(post)

    async def post_published(self, event):
        """Called when a Post was saved and committed, in this process or another (post.published)."""
        for post in await posts_to_send(event["post"], self.last_id, self.replayed):
            await self.send_post(post)

    async def websocket_receive(self, event):
        """Called when the client sends a frame: there is nothing to send here."""
        error = "this socket only receives posts; save one in the admin or with `python manage.py post`"
        await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed; __call__ leaves the group."""
        raise StopConsumer()

    async def __call__(self, scope, receive, send):
        """Called once per socket; AsyncConsumer's loop feeds every event to the handlers above."""
        try:
            await super().__call__(scope, receive, send)
        except RedisError as error:
            # The layer's receive loop gave up on Redis (down longer than its retries, or
            # a Sentinel failover: lesson 15). Not a crash (1011): 4503, and the client
            # comes back with ?since= and misses nothing.
            logger.warning("liveblog socket closed with %s: the channel layer failed: %r", LAYER_UNAVAILABLE, error)
            await send({"type": "websocket.close", "code": LAYER_UNAVAILABLE})
        finally:
            # Here rather than in websocket_disconnect, which may never come: a send to a
            # socket that is closing raises (django/channels#1466, lesson 05). Leaving a
            # group never joined (a bad ?since=) is harmless; with Redis down it expires.
            with contextlib.suppress(RedisError):
                await self.channel_layer.group_discard(LIVEBLOG_GROUP, self.channel_name)

    async def send_post(self, post: dict) -> None:
        self.last_id = max(self.last_id or 0, post["id"])
        await self.send({"type": "websocket.send", "text": json.dumps({"post": post})})
