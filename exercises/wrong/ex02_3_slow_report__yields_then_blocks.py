"""Wrong: yielding once before a blocking call does not make it non-blocking; it still stalls the loop.

`await asyncio.sleep(0)` lets the others run for a moment, then
build_report() blocks every socket for its whole second anyway.

The check says: "the other socket's echo only came after the report was done"
"""

import asyncio
import json
import time

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

REPORT_SECONDS = 1.0


def build_report() -> str:
    """A blocking call, as slow library code is: do not change it."""
    time.sleep(REPORT_SECONDS)
    return "all systems nominal"


class ReportConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        if event.get("text") == "report":
            await asyncio.sleep(0)  # let the others go first
            report = build_report()
            await self.send({"type": "websocket.send", "text": json.dumps({"report": report})})
        else:
            await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
