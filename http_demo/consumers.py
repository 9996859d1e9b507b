"""The raw HTTP events on an AsyncConsumer: one request, one response (lesson 10).

Events, in the order they happen on one request:

    http.request        one or more: the body in chunks; "more_body": True means another follows
                        -> we await send http.response.start (status, headers), then
                           http.response.body, once or in several parts ("more_body": True on all but the last)
    http.disconnect     the response is complete or the client went away -> we raise StopConsumer()

A response is not sent until its first http.response.body; the request is
over when a body part without "more_body" has gone. Lesson: lessons/10-http-consumers.md
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

BODY_LIMIT = 64 * 1024  # bytes a request body may hold; more is answered with 413


class RequestInfoConsumer(AsyncConsumer):
    """/http/raw/: any method; answers with what arrived, in JSON: method, path, chunks, bytes."""

    channel_layer_alias = None  # it talks only to its own client

    def __init__(self):
        self.chunks = 0
        self.size = 0
        self.answered = False

    async def http_request(self, event):
        """Called for each part of the request body; the last one has no "more_body"."""
        if self.answered:
            return  # the rest of a body we already refused
        self.chunks += 1
        self.size += len(event.get("body", b""))
        # Counted, not kept: a limit checked as the chunks arrive never holds more than one.
        if self.size > BODY_LIMIT:
            await self.answer(413, {"error": f"the body may hold at most {BODY_LIMIT} bytes"})
        elif not event.get("more_body", False):
            scope = self.scope
            info = {"method": scope["method"], "path": scope["path"], "chunks": self.chunks, "bytes": self.size}
            await self.answer(200, info)

    async def http_disconnect(self, event):
        """Called when the response has gone, or when the client left before it did."""
        raise StopConsumer()

    async def answer(self, status: int, data: dict) -> None:
        self.answered = True
        body = json.dumps(data).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        # Two parts, to show more_body: the client sees one response either way.
        half = len(body) // 2
        await self.send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await self.send({"type": "http.response.body", "body": body[half:]})
