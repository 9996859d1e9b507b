# AsyncHttpConsumer with send_headers() and send_body() called apart, the status picked by a conditional expression.
"""Alternative 10.2: the response in two calls, headers then body.

send_response() is send_headers() followed by send_body(); calling them
apart is the same two events.
"""

import json

from channels.generic.http import AsyncHttpConsumer

LIMIT = 1024  # bytes


class BodySizeConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        too_large = len(body) > LIMIT
        status = 413 if too_large else 200
        payload = {"error": f"at most {LIMIT} bytes"} if too_large else {"bytes": len(body)}
        await self.send_headers(status=status, headers=[(b"content-type", b"application/json")])
        await self.send_body(json.dumps(payload).encode())
