"""A 405 names the methods it allows (Allow: GET), as HTTP requires.

A classic wrong solution to exercise 13.2: 405 comes without an Allow header.
The check says: "Allow: GET"
"""

import json
import os

from channels.generic.http import AsyncHttpConsumer


class HealthCheckConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        if self.scope["method"] != "GET":
            await self.send_response(405, b"")
            return
        answer = json.dumps({"ok": True, "pid": os.getpid()}).encode()
        await self.send_response(200, answer, headers=[(b"content-type", b"application/json")])
