"""Solution 13.2: a health check a load balancer can poll.

Why this way: an HTTP consumer answers without Django's view stack and
without the database, so it says "this process's event loop is serving",
nothing more; the pid tells which of several Daphnes behind nginx answered
(lesson 13).
"""

import json
import os

from channels.generic.http import AsyncHttpConsumer


class HealthCheckConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        if self.scope["method"] != "GET":
            await self.send_response(405, b"", headers=[(b"allow", b"GET")])
            return
        answer = json.dumps({"ok": True, "pid": os.getpid()}).encode()
        await self.send_response(200, answer, headers=[(b"content-type", b"application/json")])
