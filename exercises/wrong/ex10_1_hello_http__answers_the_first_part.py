"""The request has arrived only when more_body is false: answer after the last part.

A classic wrong solution to exercise 10.1: the answer goes out on the first http.request, more_body or not.
The check says: "more_body"
"""

from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class HelloConsumer(AsyncConsumer):
    async def http_request(self, event):
        """Called for each part of the request body; answer after the last one."""
        names = parse_qs(self.scope["query_string"].decode("latin-1")).get("name", [])
        if not names or not names[0]:
            status, body = 400, b"expected ?name=<your name>"
        else:
            status, body = 200, f"Hello, {names[0]}".encode()
        await self.send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await self.send({"type": "http.response.body", "body": body})
        raise StopConsumer()

    async def http_disconnect(self, event):
        """Called when the client has gone."""
        raise StopConsumer()
