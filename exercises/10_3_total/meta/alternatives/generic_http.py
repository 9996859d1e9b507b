# AsyncHttpConsumer (generic): it collects every http.request part itself and calls handle() with the whole body once.
"""Alternative 10.3: the fix by letting AsyncHttpConsumer gather the body.

Its http_request() keeps each part on the instance until the one without
more_body, then calls handle(b"".join(parts)) and stops the consumer: the
cut-at-8192 bug cannot happen.
"""

import json
import math

from channels.generic.http import AsyncHttpConsumer


def is_number(value: object) -> bool:
    """True for a number a client's JSON.parse reads back as the same finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


class TotalConsumer(AsyncHttpConsumer):
    async def handle(self, body):
        """Called once, with the whole body."""
        try:
            numbers = json.loads(body)
        except (ValueError, RecursionError) as error:
            return await self.answer(400, {"error": f"not JSON: {error}"})
        if not isinstance(numbers, list) or not all(map(is_number, numbers)):
            return await self.answer(400, {"error": "expected a JSON list of numbers"})
        total = sum(numbers)
        if not is_number(total):
            return await self.answer(400, {"error": "the total is too large for a JSON number"})
        await self.answer(200, {"total": total})

    async def answer(self, status: int, content: dict) -> None:
        await self.send_response(status, json.dumps(content).encode(), headers=[(b"content-type", b"application/json")])
