"""Wrong: a blocking call blocks the event loop wherever it runs on it, even inside a task.

Moving build_report() into asyncio.create_task(...) still runs it on the
loop: the task starts at the next await and stops every socket then.

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
            asyncio.create_task(self.send_report())
        else:
            await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def send_report(self):
        report = build_report()
        await self.send({"type": "websocket.send", "text": json.dumps({"report": report})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
