# The generic AsyncWebsocketConsumer: connect() and disconnect() do the work, the count checked with str methods (isascii, isdigit, a length cap), the task cancelled in __call__'s finally.
"""Alternative 02.2: the countdown on AsyncWebsocketConsumer.

Its websocket_disconnect calls disconnect() and raises StopConsumer for us;
a server that cancels the consumer sends no disconnect, so the ticking
task is cancelled in a finally around the whole consumer too.
"""

import asyncio
import json
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer

INTERVAL = 0.05  # seconds between ticks


def count_of(query_string: bytes) -> int | None:
    """The one count=N of the query, if N is written in 0-9 alone and is 1-100; else None."""
    values = parse_qs(query_string.decode("latin-1")).get("count", [])
    if len(values) != 1:
        return None
    value = values[0]
    if not (value.isascii() and value.isdigit() and len(value) <= 3):
        return None
    return int(value) if 1 <= int(value) <= 100 else None


class CountdownConsumer(AsyncWebsocketConsumer):
    ticking = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            if self.ticking is not None:
                self.ticking.cancel()

    async def connect(self):
        await self.accept()
        count = count_of(self.scope["query_string"])
        if count is None:
            await self.close(code=4400)
        else:
            self.ticking = asyncio.create_task(self.tick(count))

    async def tick(self, count):
        for n in range(1, count + 1):
            await asyncio.sleep(INTERVAL)
            await self.send(text_data=json.dumps({"tick": n}))
        await self.close()

    async def disconnect(self, code):
        if self.ticking is not None:
            self.ticking.cancel()
