"""Exercise 02.3 (fix): one slow report freezes every socket in the process.

ReportConsumer echoes every frame, and answers the frame "report" with
{"report": ...} from build_report(), a blocking call that takes a second
(think of a slow HTTP API or a PDF renderer; you may not change it).

In the browser it looks fine. But while one socket waits for its report,
every other socket on that server process stops too: their echoes come a
second late, all at once (lesson 02; django/channels#2132 is the same
stall seen from the sync side). Nothing raises; the stall is the symptom.
Find the mistake and fix it, keeping build_report() as it is: every other
socket answers at once meanwhile, and two sockets that ask at the same time
each have their report after about a second, not two.

Edit this file, then check it:

    python manage.py exercise 02.3

The check is exercises/02_3_slow_report/check.py; once you have tried,
`python manage.py exercise 02.3 --solution` shows where the solution is.
"""

import asyncio  # noqa: F401
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
            # TODO: what does the event loop do while this line runs?
            report = build_report()
            await self.send({"type": "websocket.send", "text": json.dumps({"report": report})})
        else:
            await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
