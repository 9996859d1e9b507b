"""Alternative 10.2, one exit and two calls: choose the answer first, then send_headers() and send_body().

Still right: handle() gets the whole body from AsyncHttpConsumer; the status, the content-type and the
bytes are chosen together, the content-length is the answer's own length, and send_body()'s one part
ends the response (more_body false by default).
"""

import json

from channels.generic.http import AsyncHttpConsumer

LIMIT = 1024  # bytes


class BodySizeConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        size = len(body)
        if size <= LIMIT:
            status, content_type, answer = 200, b"application/json", json.dumps({"bytes": size}).encode()
        else:
            status, content_type = 413, b"text/plain; charset=utf-8"
            answer = f"a body of {size} bytes is over the limit of {LIMIT}".encode()
        headers = [(b"content-type", content_type), (b"content-length", str(len(answer)).encode())]
        await self.send_headers(status=status, headers=headers)
        await self.send_body(answer)
