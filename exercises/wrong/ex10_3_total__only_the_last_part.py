"""Wrong: every http.request event carries a part of the body; skipping those with more_body throws the first parts away.

Waiting for the last event is right; parsing only the last event's body is
not: the answer is "not JSON" for any body that came in several parts.

The check says: "a valid body in 5 parts got 400 {'error': 'not JSON: Extra"
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class TotalConsumer(AsyncConsumer):
    async def http_request(self, event):
        if event.get("more_body"):
            return
        body = event.get("body", b"")
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
