# http_request overridden to count the parts as they arrive and refuse at once, then StopConsumer: a body over the limit is never held whole.
"""Alternative 10.2: an early 413, the moment the parts add up to more than the limit.

AsyncHttpConsumer keeps every part until the last and then calls handle();
this one counts each part as it comes, answers 413 as soon as the total is
over LIMIT, and ends there (StopConsumer), so the rest of a large body is
never kept nor answered again.
"""

import json

from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer

LIMIT = 1024  # bytes


class BodySizeConsumer(AsyncHttpConsumer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.size = 0

    async def http_request(self, message):
        """Called for each part of the body: refuse as soon as the total is over the limit."""
        self.size += len(message.get("body", b""))
        if self.size > LIMIT:
            await self.send_response(413, b"body too large", headers=[(b"content-type", b"text/plain")])
            raise StopConsumer()
        await super().http_request(message)

    async def handle(self, body):
        """Called with the whole request body, at most LIMIT bytes."""
        await self.send_response(
            200, json.dumps({"bytes": len(body)}).encode(), headers=[(b"content-type", b"application/json")]
        )
