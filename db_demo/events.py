"""Server-sent events on a raw AsyncConsumer: the liveblog as GET /liveblog/events/ (lesson 10).

Twin of http_demo/ticker.py (the ticker): the same names for the same things;
its events come from a timer, the liveblog's from the channel layer.

Events, in the order they happen on one stream:

    http.request        (the last part of the body)  -> join the "liveblog" group; http.response.start 200
                        text/event-stream; a first http.response.body "retry: 2000", then every saved Post
                        whose id is above the Last-Event-ID header, oldest first ("more_body": True from
                        here on); start the push task
    post.published      a Post saved, after COMMIT    -> http.response.body "id: <post id> / event: post / data: {...}"
                        (db_demo/signals.py's group_send, the message ws/liveblog/ hears too); an id
                        that skips ids above the last one sent first sends the saved ones between (posts_to_send)
    (push task)         every 15 s                    -> a comment line, so proxies keep the stream open
    http.disconnect     the client went away          -> cancel the push task; leave the group; StopConsumer

If Redis fails, the stream ends cleanly (EventSource reconnects) or, before it
began, the answer is 503: never a 500. However it ends, it leaves the group (leave()).

The browser's EventSource reconnects by itself and sends the id of the last
event it saw as Last-Event-ID, so it misses nothing saved while it was away.
Lesson: lessons/10-http-consumers.md (ws/liveblog/?since= does the same over a WebSocket, lesson 12).
"""

import asyncio
import contextlib
import json
import logging
import re

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from psycopg import OperationalError as PostgresUnavailable  # CHANNEL_LAYER=postgres (lesson 15)
from redis.exceptions import RedisError

from db_demo.liveblog import posts_to_send
from db_demo.models import Post
from db_demo.signals import LIVEBLOG_GROUP

logger = logging.getLogger(__name__)
HEARTBEAT = 15.0  # seconds; proxies close a response that stays silent for 60 s
REPLAY_PAGE = 100  # posts read per query while replaying
EVENT_STREAM_HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # nginx: pass each event on at once, do not buffer
]


def last_event_id(scope: dict) -> int | None:
    """The Last-Event-ID header as an event id; None when absent or not an id (never an error)."""
    for name, value in scope["headers"]:
        # At most 18 digits: always within a 64-bit integer (here, a primary key).
        if name == b"last-event-id" and re.fullmatch(rb"[0-9]{1,18}", value):
            return int(value)
    return None


@database_sync_to_async
def posts_after(post_id: int, limit: int = REPLAY_PAGE) -> list[dict]:
    """Up to `limit` saved posts with an id above `post_id`, oldest first."""
    return [post.as_frame() for post in Post.objects.filter(pk__gt=post_id).order_by("pk")[:limit]]


def sse_event(event_id: int, name: str, data: dict) -> bytes:
    """One server-sent event: EventSource sends its id back as Last-Event-ID when it reconnects."""
    return f"id: {event_id}\nevent: {name}\ndata: {json.dumps(data)}\n\n".encode()


class LiveblogEventsConsumer(AsyncConsumer):
    """GET /liveblog/events/: every Post saved after the request, as an event; Last-Event-ID replays."""

    push_task = None  # the push task, once started
    last_id: int | None = None  # the newest post id this stream has sent (or Last-Event-ID)
    joined = False
    started = False  # True once http.response.start has gone

    def __init__(self):
        self.replayed: dict[int, dict] = {}  # post id -> what the replay sent

    async def __call__(self, scope, receive, send):
        """Called once per request: AsyncConsumer's loop feeds HTTP events and layer messages to handlers."""
        try:
            await super().__call__(scope, receive, send)
        except (RedisError, PostgresUnavailable) as error:
            # The layer's own receive loop raises here too, outside any handler.
            logger.warning("liveblog stream ended: the channel layer failed: %s", error)
            if self.started:  # end the response: EventSource reconnects after `retry` ms
                await send({"type": "http.response.body", "body": b""})
            else:
                headers = [(b"content-type", b"text/plain"), (b"retry-after", b"2")]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": b"the channel layer is unavailable"})
        finally:
            if self.push_task is not None:
                self.push_task.cancel()
                await asyncio.wait([self.push_task])
            await self.leave()

    async def http_request(self, event):
        """Called for each part of the request body; a GET has one, empty."""
        if event.get("more_body", False):
            return
        # Join first, then read: a post saved in between is in both, and sent once (see post_published).
        await self.channel_layer.group_add(LIVEBLOG_GROUP, self.channel_name)
        self.joined = True
        await self.send({"type": "http.response.start", "status": 200, "headers": EVENT_STREAM_HEADERS})
        self.started = True
        # retry: how long EventSource waits before it reconnects (ms); also sends the headers now.
        await self.send({"type": "http.response.body", "body": b"retry: 2000\n\n", "more_body": True})
        after = self.last_id = last_event_id(self.scope)
        while after is not None:  # in pages: no one query reads a whole long table
            page = await posts_after(after)
            for post in page:
                self.replayed[post["id"]] = post
                await self.send_post(post)
            after = page[-1]["id"] if len(page) == REPLAY_PAGE else None
        self.push_task = asyncio.create_task(self.push())

    async def post_published(self, event):
        """Called when a Post was saved and committed, in this process or another (post.published)."""
        for post in await posts_to_send(event["post"], self.last_id, self.replayed):
            await self.send_post(post)

    async def send_post(self, post: dict) -> None:
        """Sends one post as an event, and remembers the newest id sent (a gap is measured from it)."""
        self.last_id = max(self.last_id or 0, post["id"])
        body = sse_event(post["id"], "post", post)
        await self.send({"type": "http.response.body", "body": body, "more_body": True})

    async def http_disconnect(self, event):
        """Called when the client went away: a stream never ends by itself."""
        if self.push_task is not None:
            self.push_task.cancel()
            await asyncio.wait([self.push_task])  # really stopped: nothing is sent after this
        await self.leave()
        raise StopConsumer()

    async def leave(self) -> None:
        """Leave the liveblog group, once, however the stream ends: on a disconnect or a layer failure (lesson 05's chat too).

        Otherwise every post goes on being queued for a channel nobody reads until the
        layer's group_expiry. Redis may be why the stream is ending: then the membership
        expires on its own.
        """
        if self.joined:
            self.joined = False
            with contextlib.suppress(RedisError, PostgresUnavailable):
                await self.channel_layer.group_discard(LIVEBLOG_GROUP, self.channel_name)

    async def push(self):
        """Runs as its own task until cancelled: a keep-alive comment every HEARTBEAT seconds."""
        while True:
            await asyncio.sleep(HEARTBEAT)
            # Every message that arrived during the replay has been handled by now.
            self.replayed.clear()
            await self.send({"type": "http.response.body", "body": b": keep-alive\n\n", "more_body": True})
