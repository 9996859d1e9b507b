"""Alternative 13.2, a raw AsyncConsumer: http.request events read to the last part, the response sent as two events.

Still right: the answer waits for the part without more_body (the whole request), then sends
http.response.start and one http.response.body and stops the consumer; http.disconnect (a client that
leaves mid-body) stops it too. The pid is read per request, the JSON is real (true, a number), and a
405 names GET in its Allow header; every header name is lowercase bytes, as ASGI asks.

Events, in order: http.request (one or more parts), then http.response.start and http.response.body;
or http.disconnect, which ends it.
"""

import json
import os

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class HealthCheckConsumer(AsyncConsumer):
    async def http_request(self, event):
        """Called for each part of the request's body."""
        if event.get("more_body"):
            return  # the body is not ours to read: wait for its last part
        if self.scope["method"] == "GET":
            status, headers = 200, [(b"content-type", b"application/json")]
            body = json.dumps({"ok": True, "pid": os.getpid()}).encode()
        else:
            status, headers, body = 405, [(b"allow", b"GET")], b""
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})
        raise StopConsumer()

    async def http_disconnect(self, event):
        """Called when the client has gone."""
        raise StopConsumer()
