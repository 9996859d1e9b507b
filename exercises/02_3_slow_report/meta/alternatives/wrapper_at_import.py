# sync_to_async(build_report, thread_sensitive=False) made once at import, awaited in the handler: still a worker thread.
"""Alternative 02.3: the blocking call wrapped once, at import, and awaited where it is needed.

Events, in order: websocket.connect (accept), websocket.receive (echo, or
the report from a worker thread), websocket.disconnect (StopConsumer).

thread_sensitive=False sends each call to a thread of the loop's pool, as
asyncio.to_thread does, instead of queueing it on the process's one sync
thread; the wrapper is a plain callable, so making it at import is the same
as making it in the handler.
"""

import json
import time

from asgiref.sync import sync_to_async
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

REPORT_SECONDS = 1.0


def build_report() -> str:
    """A blocking call, as slow library code is: do not change it."""
    time.sleep(REPORT_SECONDS)
    return "all systems nominal"


build_report_in_a_thread = sync_to_async(build_report, thread_sensitive=False)


class ReportConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: "report" gets the report, anything else comes back."""
        if event.get("text") == "report":
            report = await build_report_in_a_thread()
            await self.send({"type": "websocket.send", "text": json.dumps({"report": report})})
        else:
            await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
