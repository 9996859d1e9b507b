"""Alternative 13.2, a raw SyncConsumer: the same events as the async one, handled in a thread.

Still right: a health check does nothing slow, so a sync handler answers as well (it runs on Django's
sync thread, off the event loop); it waits for the request's last part, answers once, and stops; a
405 carries Allow: GET and a short JSON error; the pid is read per request.

Events, in order: http.request (one or more parts), then http.response.start and http.response.body;
or http.disconnect, which ends it.
"""

import json
import os

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer

JSON = (b"content-type", b"application/json")


class HealthCheckConsumer(SyncConsumer):
    def http_request(self, event):
        """Called for each part of the request's body."""
        if event.get("more_body", False):
            return
        if self.scope["method"] == "GET":
            self.answer(200, {"ok": True, "pid": os.getpid()}, [JSON])
        else:
            self.answer(405, {"error": "only GET"}, [JSON, (b"allow", b"GET")])
        raise StopConsumer()

    def answer(self, status: int, content: dict, headers: list) -> None:
        self.send({"type": "http.response.start", "status": status, "headers": headers})
        self.send({"type": "http.response.body", "body": json.dumps(content).encode()})

    def http_disconnect(self, event):
        """Called when the client has gone."""
        raise StopConsumer()
