"""Bad input never crashes a consumer: a count that int() refuses closes with 4400, not 1011.

A classic wrong solution to exercise 02.2: isdigit() alone lets count=%C2%B2 (a superscript two) through to int(), which raises.
The check says: "1011"
"""

import asyncio
import json
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

INTERVAL = 0.05  # seconds between ticks


def parse_count(query_string: bytes) -> int | None:
    """N from "count=N" if it is an integer 1-100, else None."""
    values = parse_qs(query_string.decode("latin-1")).get("count", [])
    if len(values) != 1 or not values[0].isdigit() or not 1 <= int(values[0]) <= 100:
        return None
    return int(values[0])


class CountdownConsumer(AsyncConsumer):
    ticking: asyncio.Task | None = None

    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/02-2/?count=N."""
        await self.send({"type": "websocket.accept"})
        count = parse_count(self.scope["query_string"])
        if count is None:
            await self.send({"type": "websocket.close", "code": 4400})
            return
        self.ticking = asyncio.create_task(self.tick(count))

    async def tick(self, count: int):
        for n in range(1, count + 1):
            await asyncio.sleep(INTERVAL)
            await self.send({"type": "websocket.send", "text": json.dumps({"tick": n})})
        await self.send({"type": "websocket.close", "code": 1000})

    async def websocket_receive(self, event):
        """Called for every frame: the ticker needs no input."""

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: stop ticking first."""
        if self.ticking is not None:
            self.ticking.cancel()
        raise StopConsumer()
