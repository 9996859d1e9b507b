"""Lesson 10: the liveblog as server-sent events, GET /liveblog/events/, on a raw AsyncConsumer.

The events, in the order they happen on one stream:
    http.request    (the last body part) -> join the "liveblog" group; http.response.start 200
                    text/event-stream; http.response.body with every saved Post whose id is
                    above the Last-Event-ID header, oldest first ("more_body": True from here on)
    post.published  -> http.response.body "id: <post id> / event: post / data: {...}"
                       (group_send by db_demo/signals.py, after COMMIT; the same as ws/liveblog/)
    (heartbeat)     every 15 s of silence -> a comment line, so proxies keep the stream open
    http.disconnect the client went away -> cancel the heartbeat; leave the group; StopConsumer

If Redis fails, the stream ends cleanly (EventSource reconnects) or, before it
began, the answer is 503: never a 500.

The browser's EventSource reconnects by itself and sends the id of the last
event it saw as Last-Event-ID, so it misses nothing saved while it was away.
Lesson: lessons/10-http-consumers.md (ws/liveblog/?since= is its WebSocket twin, lesson 12).
"""

import asyncio
import json
import logging
import re

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from redis.exceptions import RedisError

from db_demo.models import Post
from db_demo.signals import LIVEBLOG_GROUP

logger = logging.getLogger(__name__)
HEARTBEAT = 15.0  # seconds; proxies close a response that stays silent for 60 s
REPLAY_PAGE = 100  # posts read per query while replaying
HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # nginx: pass each event on at once, do not buffer
]


def last_event_id(scope: dict) -> int | None:
    """The Last-Event-ID header as a post id; None when absent or not an id (never an error)."""
    for name, value in scope["headers"]:
        # At most 18 digits: always within a 64-bit primary key.
        if name == b"last-event-id" and re.fullmatch(rb"[0-9]{1,18}", value):
            return int(value)
    return None


@database_sync_to_async
def posts_after(post_id: int, limit: int = REPLAY_PAGE) -> list[dict]:
    """Up to `limit` saved posts with an id above `post_id`, oldest first."""
    return [post.as_frame() for post in Post.objects.filter(pk__gt=post_id).order_by("pk")[:limit]]


def sse_event(post: dict) -> bytes:
    return f"id: {post['id']}\nevent: post\ndata: {json.dumps(post)}\n\n".encode()


class LiveblogEventsConsumer(AsyncConsumer):
    """GET /liveblog/events/: every Post saved after the request, as an event; Last-Event-ID replays."""

    heartbeat = None  # the heartbeat task, once started
    joined = False
    started = False  # True once http.response.start has gone

    def __init__(self):
        self.replayed: dict[int, dict] = {}  # post id -> what the replay sent

    async def __call__(self, scope, receive, send):
        """Called once per request: AsyncConsumer's loop feeds HTTP events and layer messages to handlers."""
        try:
            await super().__call__(scope, receive, send)
        except RedisError as error:
            # The layer's own receive loop raises here too, outside any handler.
            logger.warning("liveblog stream ended: the channel layer failed: %s", error)
            if self.started:  # end the response: EventSource reconnects after `retry` ms
                await send({"type": "http.response.body", "body": b""})
            else:
                headers = [(b"content-type", b"text/plain"), (b"retry-after", b"2")]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": b"the channel layer is unavailable"})
        finally:
            if self.heartbeat is not None:
                self.heartbeat.cancel()
                await asyncio.wait([self.heartbeat])

    async def http_request(self, event):
        """Called for each part of the request body; a GET has one, empty."""
        if event.get("more_body", False):
            return
        # Join first, then read: a post saved in between is in both, and sent once (see post_published).
        await self.channel_layer.group_add(LIVEBLOG_GROUP, self.channel_name)
        self.joined = True
        await self.send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        self.started = True
        # retry: how long EventSource waits before it reconnects (ms); also sends the headers now.
        await self.send_event(b"retry: 2000\n\n")
        after = last_event_id(self.scope)
        while after is not None:  # in pages: no one query reads a whole long table
            page = await posts_after(after)
            for post in page:
                self.replayed[post["id"]] = post
                await self.send_event(sse_event(post))
            after = page[-1]["id"] if len(page) == REPLAY_PAGE else None
        self.heartbeat = asyncio.create_task(self.beat())

    async def post_published(self, event):
        """Called when a Post was saved and committed, in this process or another (post.published)."""
        post = event["post"]
        # Saved while the replay ran: already sent, unless it has changed since (an update is news).
        if self.replayed.pop(post["id"], None) != post:
            await self.send_event(sse_event(post))

    async def http_disconnect(self, event):
        """Called when the client went away: a stream never ends by itself."""
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            await asyncio.wait([self.heartbeat])
        if self.joined:
            await self.channel_layer.group_discard(LIVEBLOG_GROUP, self.channel_name)
        raise StopConsumer()

    async def beat(self):
        """Runs as its own task until cancelled: a comment line every HEARTBEAT seconds."""
        while True:
            await asyncio.sleep(HEARTBEAT)
            # Every message that arrived during the replay has been handled by now.
            self.replayed.clear()
            await self.send_event(b": keep-alive\n\n")

    async def send_event(self, data: bytes) -> None:
        await self.send({"type": "http.response.body", "body": data, "more_body": True})
