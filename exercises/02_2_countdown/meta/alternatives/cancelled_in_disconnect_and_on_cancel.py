# Two exits, two clean-ups: websocket_disconnect cancels the task, and __call__ catches the server's CancelledError, cancels it and raises it again.
"""Alternative 02.2: stop the ticking where each way out passes.

A client that leaves sends websocket.disconnect; a server that cancels
the consumer sends nothing, and its CancelledError passes through __call__,
where the ticking is stopped and the cancellation goes on.
"""

import asyncio
import json
from urllib.parse import parse_qsl

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

INTERVAL = 0.05  # seconds between ticks
VALID = {str(n) for n in range(1, 101)}


class CountdownConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        self.ticking = None
        try:
            await super().__call__(scope, receive, send)
        except asyncio.CancelledError:
            self.stop_ticking()
            raise

    def stop_ticking(self):
        if self.ticking is not None:
            self.ticking.cancel()

    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})
        counts = [value for key, value in parse_qsl(self.scope["query_string"].decode("latin-1")) if key == "count"]
        if len(counts) != 1 or counts[0] not in VALID:
            await self.send({"type": "websocket.close", "code": 4400})
            return
        self.ticking = asyncio.create_task(self.tick(int(counts[0])))

    async def tick(self, count):
        for n in range(1, count + 1):
            await asyncio.sleep(INTERVAL)
            await self.send({"type": "websocket.send", "text": json.dumps({"tick": n})})
        await self.send({"type": "websocket.close", "code": 1000})

    async def websocket_receive(self, event):
        pass

    async def websocket_disconnect(self, event):
        self.stop_ticking()
        raise StopConsumer()
