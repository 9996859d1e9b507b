"""Alternative 13.2, a match on the method: GET answers, every other method gets 405 with Allow and a JSON error.

Still right: only "GET" matches the first case; the pid is read when each request is answered, the
body is real JSON (true, a number) labelled application/json, and the 405 says which method is
allowed, with one response per request either way.
"""

import json
import os

from channels.generic.http import AsyncHttpConsumer

JSON = (b"content-type", b"application/json")


class HealthCheckConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called with the whole request body."""
        match self.scope["method"]:
            case "GET":
                status, content, headers = 200, {"ok": True, "pid": os.getpid()}, [JSON]
            case method:
                status, content = 405, {"error": f"{method} is not allowed here; use GET"}
                headers = [JSON, (b"allow", b"GET")]
        await self.send_response(status, json.dumps(content).encode(), headers=headers)
