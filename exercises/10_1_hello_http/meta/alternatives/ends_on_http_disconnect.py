# Lesson 10's demo's way: the response sent, the consumer ends on the http.disconnect the server sends once a response is complete.
"""Alternative 10.1: StopConsumer raised in http_disconnect only.

Daphne sends http.disconnect once the response is complete (the ASGI spec:
receive() after a response gives it), and when a client leaves first: one
handler ends the consumer in both cases, as http_demo/consumers.py does.
"""

from urllib.parse import parse_qsl

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class HelloConsumer(AsyncConsumer):
    async def http_request(self, event):
        """Called for each part of the request body; answer after the last one."""
        if event.get("more_body"):
            return
        # The query string is raw bytes: latin-1 turns any byte into a character, and parse_qsl
        # then reads the %-escapes as UTF-8 (and drops an empty ?name=).
        name = dict(parse_qsl(self.scope["query_string"].decode("latin-1"))).get("name", "")
        if not name:
            status, body = 400, b"expected ?name=<your name>"
        else:
            status, body = 200, f"Hello, {name}".encode()
        await self.send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await self.send({"type": "http.response.body", "body": body})

    async def http_disconnect(self, event):
        """Called when the client has gone."""
        raise StopConsumer()
