"""Solution 10.2: an AsyncHttpConsumer that measures bodies, up to a limit.

Why this way: AsyncHttpConsumer collects the body parts and calls handle()
once with all of it; send_response() sends the start and the body in one call.
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
        await self.send_response(200, answer, headers=[(b"content-type", b"application/json")])
