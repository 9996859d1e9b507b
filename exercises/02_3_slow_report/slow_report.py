"""Exercise 02.3 (fix): one slow report freezes every socket in the process.

ReportConsumer echoes every frame, and answers the frame "report" with
{"report": ...} from build_report(), a blocking call that takes a second
(think of a slow HTTP API or a PDF renderer; you may not change it).

In the browser it looks fine. But while one socket waits for its report,
every other socket on that server process stops too: their echoes come a
second late, all at once (lesson 02; django/channels#2132 is the same
stall seen from the sync side). Nothing raises; the stall is the symptom.
Find the mistake and fix it, keeping build_report() as it is.

Rules (the check proves each one, and nothing else):

1. build_report() stays a plain (not async) function, and REPORT_SECONDS
   stays 1.0.
2. "report", exactly, gets {"report": <what build_report() returned>}, a
   new report for each ask, sent on the server's event loop (not from a
   thread); every other text frame comes back unchanged to its own socket;
   no frame of any kind crashes the consumer.
3. While one socket waits for its report, every other socket is answered
   at once: build_report() runs neither on the event loop nor on the
   process's one shared sync thread.
4. A report takes its whole REPORT_SECONDS, and every ask gets its report:
   a time limit of yours, if you set one, is well over that second (the
   check makes each report last one second of the event loop's clock).
5. The consumer ends on websocket.disconnect (a handler that awaits the
   report takes that event once its report is in: that is fine); one that
   ends during its report (its socket closed, or cancelled by the server)
   leaves no task running and nothing kept on the class or the module, and
   nothing on its way out holds the event loop, or any other socket, while
   the report's thread finishes.
6. Two sockets asking at once each get their report, even while one of
   them has asked 33 times: the other's report never waits for those.
7. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
