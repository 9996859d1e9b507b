"""Long-poll on a raw AsyncConsumer: a request that waits for a channel-layer message (lesson 10).

Events, in the order they happen on one request:

    http.request        (the last part of the body) -> join the "http-poll" group; start a timer
    poll.message        a message published to the group (POST /http/publish/)
                        -> http.response.start 200 + http.response.body {"message": ...}
    (timer)             nothing came within ?timeout=S seconds -> 204 No Content: the client asks again
    http.disconnect     the response has gone, or the client left -> cancel the timer; leave the group; StopConsumer

One answer per request: whichever of the message and the timer comes first;
503 if the channel layer (Redis) fails first.
Lesson: lessons/10-http-consumers.md
"""

import asyncio
import json
import logging
import math
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
POLL_GROUP = "http-poll"
DEFAULT_TIMEOUT = 25.0  # under the 60 s after which proxies commonly drop an idle response
MIN_TIMEOUT, MAX_TIMEOUT = 0.05, 60.0


def parse_timeout(query_string: bytes) -> float:
    """Seconds to wait from ?timeout=S: 25 when absent, else a finite number in [0.05, 60]."""
    values = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get("timeout")
    if values is None:
        return DEFAULT_TIMEOUT
    try:
        timeout = float(values[0])
    except ValueError:
        timeout = math.nan
    if not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:  # NaN fails every comparison
        raise ValueError(f"timeout must be a number of seconds from 0.05 to 60, got {values[0]!r}")
    return timeout


class LongPollConsumer(AsyncConsumer):
    """GET /http/poll/?timeout=S: 200 with the next published message, or 204 after S seconds."""

    answered = False
    timer = None
    joined = False

    async def __call__(self, scope, receive, send):
        """Called once per request: AsyncConsumer's loop feeds HTTP events and layer messages to handlers."""
        try:
            await super().__call__(scope, receive, send)
        except RedisError as error:
            # Raised by group_add, or by the layer's own receive loop, outside any handler.
            logger.warning("long-poll answered 503: the channel layer failed: %s", error)
            await self.answer(503, {"error": "the channel layer is unavailable; ask again later"})
        finally:
            if self.timer is not None:
                self.timer.cancel()
                await asyncio.wait([self.timer])

    async def http_request(self, event):
        """Called for each part of the request body; a GET has one, empty."""
        if event.get("more_body", False):
            return
        try:
            timeout = parse_timeout(self.scope["query_string"])
        except ValueError as error:
            await self.answer(400, {"error": str(error)})
            return
        await self.channel_layer.group_add(POLL_GROUP, self.channel_name)
        self.joined = True
        self.timer = asyncio.create_task(self.time_out(timeout))

    async def poll_message(self, event):
        """Called when a message is published to the group (poll.message)."""
        await self.answer(200, {"message": event["message"]})

    async def http_disconnect(self, event):
        """Called once the answer has gone, or when the client left while waiting."""
        if self.timer is not None:
            self.timer.cancel()
            await asyncio.wait([self.timer])
        if self.joined:
            await self.channel_layer.group_discard(POLL_GROUP, self.channel_name)
        raise StopConsumer()

    async def time_out(self, seconds: float):
        """Runs as its own task: answers 204 if no message came first."""
        await asyncio.sleep(seconds)
        await self.answer(204, None)

    async def answer(self, status: int, data: dict | None) -> None:
        # Checked and set with no await in between: the timer and a message cannot both answer.
        if self.answered:
            return
        self.answered = True
        headers = [(b"content-type", b"application/json")] if data is not None else []
        body = json.dumps(data).encode() if data is not None else b""
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})
