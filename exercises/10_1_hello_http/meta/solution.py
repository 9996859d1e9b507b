"""Solution 10.1: a raw HTTP consumer that says hello.

Why this way: the body may come in several http.request events (more_body);
the answer is two events, the start (status, headers) and the body, sent
once, after the last part; then StopConsumer ends the instance (lesson 10).

Events, in order: http.request (once or more, the last without more_body),
then this consumer sends http.response.start and http.response.body and ends;
http.disconnect follows once the answer is sent, or the client leaves first.
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
        raise StopConsumer()

    async def http_disconnect(self, event):
        """Called when the client has gone."""
        raise StopConsumer()
