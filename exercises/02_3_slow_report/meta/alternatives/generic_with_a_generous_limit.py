# The generic AsyncWebsocketConsumer, the report in asgiref's sync_to_async(thread_sensitive=False) under asyncio.timeout of five report lengths.
"""Alternative 02.3: AsyncWebsocketConsumer, the report in a worker thread, with a limit well over its second.

A time limit guards against a report that hangs; five times REPORT_SECONDS
never cuts short a report that takes its one second.
"""

import asyncio
import json
import time

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

REPORT_SECONDS = 1.0


def build_report() -> str:
    """A blocking call, as slow library code is: do not change it."""
    time.sleep(REPORT_SECONDS)
    return "all systems nominal"


class ReportConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        if text_data == "report":
            async with asyncio.timeout(REPORT_SECONDS * 5):
                report = await sync_to_async(build_report, thread_sensitive=False)()
            await self.send(text_data=json.dumps({"report": report}))
        else:
            await self.send(text_data=text_data or "")
