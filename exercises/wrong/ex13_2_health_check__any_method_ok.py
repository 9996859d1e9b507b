"""A health check answers GET; anything else gets 405.

A classic wrong solution to exercise 13.2: POST gets 200 like GET.
The check says: "405"
"""

import json
import os

from channels.generic.http import AsyncHttpConsumer


class HealthCheckConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        answer = json.dumps({"ok": True, "pid": os.getpid()}).encode()
        await self.send_response(200, answer, headers=[(b"content-type", b"application/json")])
