"""Solution 02.2: a ticker that stops after ?count=N ticks.

Events, in order: websocket.connect (accept, then 4400 or start ticking),
websocket.receive (ignored), websocket.disconnect (StopConsumer).

Why this way: the pushing runs as a task of its own, started on connect, so
the consumer keeps handling events meanwhile (lesson 02's TickerConsumer).
The task is cancelled in a `finally` around the consumer's whole life, not
only on websocket.disconnect: a server that cancels the consumer (Daphne at
shutdown, or after application_close_timeout) sends no disconnect event, and
no task may outlive its socket. A bad count is refused after the accept,
with 4400, so the client learns why.
"""

import asyncio
import json
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

INTERVAL = 0.05  # seconds between ticks


# A count as a client writes it: "1" to "100", leading zeros allowed. Looked up, never parsed, so nothing else
# reaches int(): not "²" (a digit to isdigit(), which int() refuses), "٣" (which int() reads as 3), "1_0", "+3"
# (" 3" once decoded), nor a count of 5,000 digits (int() raises ValueError past 4,300).
COUNTS = {str(n): n for n in range(1, 101)}


def parse_count(query_string: bytes) -> int | None:
    """N from "count=N" if it is given once and is an integer 1-100, else None."""
    values = parse_qs(query_string.decode("latin-1")).get("count", [])
    return COUNTS.get(values[0].lstrip("0")) if len(values) == 1 else None


class CountdownConsumer(AsyncConsumer):
    ticking: asyncio.Task | None = None  # this socket's own task, set on the instance in websocket_connect

    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the handlers until the socket ends, however it ends."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Here, not in websocket_disconnect: a cancelled consumer never gets that event.
            if self.ticking is not None:
                self.ticking.cancel()

    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/02-2/?count=N."""
        await self.send({"type": "websocket.accept"})
        count = parse_count(self.scope["query_string"])
        if count is None:
            await self.send({"type": "websocket.close", "code": 4400})
            return
        self.ticking = asyncio.create_task(self.tick(count))

    async def tick(self, count: int):
        """Runs as its own task from connect: `count` ticks, INTERVAL apart, then the close."""
        for n in range(1, count + 1):
            await asyncio.sleep(INTERVAL)
            await self.send({"type": "websocket.send", "text": json.dumps({"tick": n})})
        await self.send({"type": "websocket.close", "code": 1000})

    async def websocket_receive(self, event):
        """Called for every frame: the ticker needs no input."""

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: ends the consumer, and __call__'s finally stops the ticking."""
        raise StopConsumer()
