"""Server-sent events on a raw AsyncConsumer: a ticker that streams one response (lesson 10).

Events, in the order they happen on one stream:

    http.request        (the last part of the body)  -> http.response.start 200 text/event-stream,
                        a first http.response.body with "more_body": True; start the push task
    (push task)         every S seconds               -> http.response.body "id: n / event: tick / data: ...",
                                                          "more_body": True: the response never ends by itself
    http.disconnect     the client went away          -> cancel the push task; StopConsumer

The push runs in a task of its own so the handler returns and the consumer can
hear http.disconnect: a loop inside the handler would stream into a closed
connection until the server kills it. Lesson: lessons/10-http-consumers.md
"""

import asyncio
import itertools
import json
import math
import re
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

MIN_INTERVAL, MAX_INTERVAL = 0.05, 60.0
EVENT_STREAM_HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    # nginx buffers a proxied response unless told not to; an event must leave at once.
    (b"x-accel-buffering", b"no"),
]


def parse_interval(query_string: bytes) -> float:
    """Seconds between ticks from ?interval=S: 1 when absent, else a finite number in [0.05, 60]."""
    values = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get("interval")
    if values is None:
        return 1.0
    try:
        interval = float(values[0])
    except ValueError:
        interval = math.nan
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:  # NaN fails every comparison
        raise ValueError(f"interval must be a number of seconds from 0.05 to 60, got {values[0]!r}")
    return interval


def last_event_id(scope: dict) -> int | None:
    """The Last-Event-ID header a reconnecting EventSource sends, as an int; None if absent or not an id."""
    for name, value in scope["headers"]:
        if name == b"last-event-id" and re.fullmatch(rb"[0-9]{1,18}", value):
            return int(value)
    return None


class TickerConsumer(AsyncConsumer):
    """/http/ticker/?interval=S: an event {"tick": n} every S seconds; a reconnect resumes after Last-Event-ID."""

    channel_layer_alias = None  # no channel layer needed: the ticks come from a timer
    ticks = None  # the push task, once started

    async def http_request(self, event):
        """Called for each part of the request body; a GET has one, empty."""
        if event.get("more_body", False):
            return
        try:
            interval = parse_interval(self.scope["query_string"])
        except ValueError as error:
            body = json.dumps({"error": str(error)}).encode()
            await self.send(
                {"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"application/json")]}
            )
            await self.send({"type": "http.response.body", "body": body})
            return
        await self.send({"type": "http.response.start", "status": 200, "headers": EVENT_STREAM_HEADERS})
        # An empty first part makes the server send the status and headers now.
        await self.send({"type": "http.response.body", "body": b"", "more_body": True})
        start = (last_event_id(self.scope) or 0) + 1
        self.ticks = asyncio.create_task(self.push_ticks(interval, start))

    async def http_disconnect(self, event):
        """Called when the client went away (a stream never completes on its own)."""
        if self.ticks is not None:
            self.ticks.cancel()
            await asyncio.wait([self.ticks])  # really stopped: nothing is sent after this
        raise StopConsumer()

    async def push_ticks(self, interval: float, start: int):
        """Runs as its own task until cancelled: one event every `interval` seconds."""
        for n in itertools.count(start):
            await asyncio.sleep(interval)
            event = f"id: {n}\nevent: tick\ndata: {json.dumps({'tick': n})}\n\n"
            await self.send({"type": "http.response.body", "body": event.encode(), "more_body": True})
