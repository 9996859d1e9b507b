"""The raw AsyncConsumer: the same ASGI events, awaited, plus server push (lesson 02).

Events, in the order they happen on one connection:

    websocket.connect     the client asks to open      -> we await send websocket.accept (ticker: start a task)
    websocket.receive     one per frame, text or bytes -> we await send websocket.send
    websocket.disconnect  the socket is closed         -> we cancel our tasks and raise StopConsumer()

Every handler runs on the server's one event loop, shared by every socket:
await, never block (no time.sleep, no blocking I/O). Lesson: lessons/02-async-consumer.md
"""

import asyncio
import itertools
import json
import math
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(AsyncConsumer):
    """ws/async/echo/: every text or binary frame comes back unchanged, in order."""

    # No channel layer: an instance also listens on a layer channel unless told not to, and
    # this one only talks to its own socket (so it keeps working while Redis is down).
    channel_layer_alias = None

    async def websocket_connect(self, event):
        """Called when a client asks to open the socket: the handshake waits for our answer."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: a text frame carries "text", a binary frame "bytes"."""
        if event.get("text") is not None:
            await self.send({"type": "websocket.send", "text": event["text"]})
        else:
            await self.send({"type": "websocket.send", "bytes": event["bytes"]})

    async def websocket_disconnect(self, event):
        """Called once the socket is closed, by either side; event["code"] is the close code."""
        # Without this, the instance would keep waiting for events that never come.
        raise StopConsumer()


MIN_INTERVAL, MAX_INTERVAL = 0.05, 60.0


def parse_interval(query_string: bytes) -> float:
    """Seconds between ticks from ?interval=S: 1 when absent, else a finite number in [0.05, 60]."""
    values = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get("interval")
    if values is None:
        return 1.0
    try:
        interval = float(values[0])
    except ValueError:
        interval = math.nan
    # NaN fails every comparison and inf fails the upper bound, so one check covers them.
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        raise ValueError(f"interval must be a number of seconds from 0.05 to 60, got {values[0]!r}")
    return interval


class TickerConsumer(AsyncConsumer):
    """ws/async/ticker/?interval=S: pushes {"tick": n} every S seconds with no client input."""

    channel_layer_alias = None  # no channel layer needed (see EchoConsumer)
    ticks = None  # the push task, once started

    async def websocket_connect(self, event):
        """Called when a client asks to open the socket: accept, then start pushing."""
        await self.send({"type": "websocket.accept"})
        try:
            interval = parse_interval(self.scope["query_string"])
        except ValueError as error:
            # Accept first, so the client sees 4400: a refused handshake only shows HTTP 403.
            await self.send({"type": "websocket.close", "code": 4400, "reason": str(error)})
            return
        # A task of its own: this handler must return, or no other event of this socket is handled.
        self.ticks = asyncio.create_task(self.push_ticks(interval))

    async def websocket_receive(self, event):
        """Called for any frame the client sends: the ticker ignores input."""

    async def websocket_disconnect(self, event):
        """Called once the socket is closed: stop the push task before the instance ends."""
        if self.ticks is not None:
            self.ticks.cancel()
            # Wait until it has really stopped, so nothing is sent after this point.
            await asyncio.wait([self.ticks])
        raise StopConsumer()

    async def push_ticks(self, interval: float):
        """Runs as its own task from connect until cancelled: one frame every `interval` seconds."""
        for n in itertools.count(1):
            await asyncio.sleep(interval)
            await self.send({"type": "websocket.send", "text": json.dumps({"tick": n})})
