"""Solution 02.3: run the blocking call in a thread, `await asyncio.to_thread(build_report)`.

Events, in order: websocket.connect (accept), websocket.receive (echo, or
the report from a worker thread), websocket.disconnect (StopConsumer).

Why: an async consumer runs on the event loop that serves every socket of
the process; a blocking call there stops all of them until it returns.
In a worker thread, the loop goes on serving the others while this socket
waits. `sync_to_async(build_report, thread_sensitive=False)` does the
same; the default thread_sensitive=True would queue it behind every other
sync call of the process, on the one shared sync thread (lesson 02,
django/channels#2132). Long jobs belong in a worker process (lesson 06).
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
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: "report" gets the report, anything else comes back."""
        if event.get("text") == "report":
            # The loop serves every other socket while a worker thread sleeps in the call.
            report = await asyncio.to_thread(build_report)
            await self.send({"type": "websocket.send", "text": json.dumps({"report": report})})
        else:
            await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
