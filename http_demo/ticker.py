"""Server-sent events on a raw AsyncConsumer: a ticker that streams one response (lesson 10).

Twin of db_demo/events.py (the liveblog's GET /liveblog/events/): the same names
for the same things; its events come from the channel layer, the ticker's from a timer.

Events, in the order they happen on one stream:

    http.request        (the last part of the body)  -> http.response.start 200 text/event-stream,
                        a first http.response.body "retry: 2000" with "more_body": True; start the push task
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
    (b"x-accel-buffering", b"no"),  # nginx: pass each event on at once, do not buffer
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
    """The Last-Event-ID header as an event id; None when absent or not an id (never an error)."""
    for name, value in scope["headers"]:
        # At most 18 digits: always within a 64-bit integer.
        if name == b"last-event-id" and re.fullmatch(rb"[0-9]{1,18}", value):
            return int(value)
    return None


def sse_event(event_id: int, name: str, data: dict) -> bytes:
    """One server-sent event: EventSource sends its id back as Last-Event-ID when it reconnects."""
    return f"id: {event_id}\nevent: {name}\ndata: {json.dumps(data)}\n\n".encode()


class TickerConsumer(AsyncConsumer):
    """GET /http/ticker/?interval=S: an event {"tick": n} every S seconds; a reconnect resumes after Last-Event-ID."""

    channel_layer_alias = None  # no channel layer needed: the ticks come from a timer
    push_task = None  # the push task, once started

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
        # retry: how long EventSource waits before it reconnects (ms); also sends the headers now.
        await self.send({"type": "http.response.body", "body": b"retry: 2000\n\n", "more_body": True})
        start = (last_event_id(self.scope) or 0) + 1
        self.push_task = asyncio.create_task(self.push(interval, start))

    async def http_disconnect(self, event):
        """Called when the client went away: a stream never ends by itself."""
        if self.push_task is not None:
            self.push_task.cancel()
            await asyncio.wait([self.push_task])  # really stopped: nothing is sent after this
        raise StopConsumer()

    async def push(self, interval: float, start: int):
        """Runs as its own task until cancelled: a tick event every `interval` seconds."""
        for n in itertools.count(start):
            await asyncio.sleep(interval)
            body = sse_event(n, "tick", {"tick": n})
            await self.send({"type": "http.response.body", "body": body, "more_body": True})
