"""A JSON answer says so: content-type application/json.

A classic wrong solution to exercise 10.2: the JSON goes out as text/plain.
The check says: "application/json"
"""

import json

from channels.generic.http import AsyncHttpConsumer

LIMIT = 1024  # bytes


class BodySizeConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        if len(body) > LIMIT:
            await self.send_response(413, b"body too large", headers=[(b"content-type", b"text/plain")])
            return
        answer = json.dumps({"bytes": len(body)}).encode()
        await self.send_response(200, answer, headers=[(b"content-type", b"text/plain")])
