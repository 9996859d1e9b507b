# The count matched by re.fullmatch against ASCII digits (no int() of anything else) and the task kept in a set cancelled in __call__'s finally.
"""Alternative 02.2: the count read by a pattern, the ticking a task cancelled however the socket ends.

Events, in order: websocket.connect (accept, then 4400 or start ticking),
websocket.receive (ignored), websocket.disconnect (StopConsumer).

[0-9], not \\d: \\d matches every Unicode digit ("٣"), which int() reads as
well. fullmatch, not match with $: $ also matches before a final line break.
The pattern allows 1 to 100 with leading zeros, so int() only ever sees up to
three ASCII digits. The task is cancelled when __call__ ends, disconnect or
cancellation alike.
"""

import asyncio
import json
import re
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

INTERVAL = 0.05  # seconds between ticks

COUNT = re.compile(r"0*(100|[1-9][0-9]?)")  # 1 to 100, leading zeros allowed


def parse_count(query_string: bytes) -> int | None:
    """N from "count=N" if it is given once and is an integer 1-100, else None."""
    values = parse_qs(query_string.decode("latin-1")).get("count", [])
    found = COUNT.fullmatch(values[0]) if len(values) == 1 else None
    return int(found.group(1)) if found else None


class CountdownConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the handlers, then cancels whatever task this socket started."""
        self.tasks = set()
        try:
            await super().__call__(scope, receive, send)
        finally:
            for task in self.tasks:
                task.cancel()

    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/02-2/?count=N."""
        await self.send({"type": "websocket.accept"})
        count = parse_count(self.scope["query_string"])
        if count is None:
            await self.send({"type": "websocket.close", "code": 4400})
        else:
            self.tasks.add(asyncio.create_task(self.tick(count)))

    async def tick(self, count: int):
        """Runs as its own task from connect: `count` ticks, INTERVAL apart, then the close."""
        sent = 0
        while sent < count:
            await asyncio.sleep(INTERVAL)
            sent += 1
            await self.send({"type": "websocket.send", "text": json.dumps({"tick": sent})})
        await self.send({"type": "websocket.close", "code": 1000})

    async def websocket_receive(self, event):
        """Called for every frame: the ticker needs no input."""

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
