# The loop's own default executor: await loop.run_in_executor(None, build_report), the pre-3.9 spelling of asyncio.to_thread.
"""Alternative 02.3: the report built in the event loop's default thread pool.

run_in_executor(None, ...) hands the call to the loop's ThreadPoolExecutor
and returns a future the handler awaits: the loop serves every other
socket while a pool thread sleeps in build_report().
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
            loop = asyncio.get_running_loop()
            report = await loop.run_in_executor(None, build_report)
            await self.send({"type": "websocket.send", "text": json.dumps({"report": report})})
        else:
            await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
