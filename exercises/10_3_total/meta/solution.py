"""Solution 10.3: collect the body over every http.request event; answer once more_body is false.

Why: a server may hand the request body over in several http.request
events, each with "more_body": true but the last (ASGI spec; Daphne hands
a body over in parts of 8192 bytes). The consumer keeps the parts on its own
instance, one per request, and parses only the whole (lesson 10).
AsyncHttpConsumer's handle(body) does this collecting for you.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class TotalConsumer(AsyncConsumer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts: list[bytes] = []  # this request's body, part by part

    async def http_request(self, event):
        self.parts.append(event.get("body", b""))
        if event.get("more_body"):
            return  # more of the body is coming
        body = b"".join(self.parts)
        try:
            numbers = json.loads(body)
        except ValueError as error:
            await self.answer(400, {"error": f"not JSON: {error}"})
            return
        if not isinstance(numbers, list) or not all(
            isinstance(n, int | float) and not isinstance(n, bool) for n in numbers
        ):
            await self.answer(400, {"error": "expected a JSON list of numbers"})
            return
        await self.answer(200, {"total": sum(numbers)})

    async def answer(self, status: int, content: dict) -> None:
        await self.send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await self.send({"type": "http.response.body", "body": json.dumps(content).encode()})
        raise StopConsumer()

    async def http_disconnect(self, event):
        raise StopConsumer()
