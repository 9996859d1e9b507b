"""A body over the limit gets 413, never measured.

A classic wrong solution to exercise 10.2: every body is measured, however large.
The check says: "413"
"""

import json

from channels.generic.http import AsyncHttpConsumer

LIMIT = 1024  # bytes


class BodySizeConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        answer = json.dumps({"bytes": len(body)}).encode()
        await self.send_response(200, answer, headers=[(b"content-type", b"application/json")])
