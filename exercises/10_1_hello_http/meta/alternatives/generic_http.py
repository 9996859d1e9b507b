# AsyncHttpConsumer (generic): handle(body) gets the whole body, send_response() sends start and body, and the consumer stops itself.
"""Alternative 10.1: hello as an AsyncHttpConsumer.

The generic consumer gathers every http.request part, calls handle() once
with the whole body, and raises StopConsumer after it; QueryDict reads the
query string as Django's request.GET does.
"""

from channels.generic.http import AsyncHttpConsumer
from django.http import QueryDict


class HelloConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called once the whole request has arrived."""
        name = QueryDict(self.scope["query_string"], encoding="utf-8").get("name", "")
        status, text = (200, f"Hello, {name}") if name else (400, "expected ?name=<your name>")
        await self.send_response(status, text.encode(), headers=[(b"content-type", b"text/plain; charset=utf-8")])
