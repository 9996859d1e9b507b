# Lesson 10's demo's way: the answer sent, the consumer ends on the http.disconnect the server sends once the response is complete.
"""Solution 10.3: collect the body over every http.request event; answer once more_body is false.

Why: a server may hand the request body over in several http.request
events, each with "more_body": true but the last (ASGI spec; Daphne hands
a body over in parts of 8192 bytes). The consumer keeps the parts on its own
instance, one per request, and parses only the whole (lesson 10).
AsyncHttpConsumer's handle(body) does this collecting for you. json.loads
also takes NaN and Infinity, which JSON has not, and integers too large for
a double: a body holding one, or whose total overflows, gets 400 too, never
an answer no client can parse (exercise 03.1 draws the same line).
"""

import json
import math

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


def is_number(value: object) -> bool:
    """True for a number a client's JSON.parse reads back as the same finite number."""
    # true is an int in Python; json.loads takes NaN and Infinity, which JSON has not.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer of 400 digits is no double either
        return False


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
        except (ValueError, RecursionError) as error:  # not JSON, or "[[[[..." nested too deep to decode
            await self.answer(400, {"error": f"not JSON: {error}"})
            return
        if not isinstance(numbers, list) or not all(is_number(n) for n in numbers):
            await self.answer(400, {"error": "expected a JSON list of numbers"})
            return
        total = sum(numbers)
        if not is_number(total):  # 1e308 + 1e308 overflows to Infinity, which no JSON can carry
            await self.answer(400, {"error": "the total is too large for a JSON number"})
            return
        await self.answer(200, {"total": total})

    async def answer(self, status: int, content: dict) -> None:
        await self.send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await self.send({"type": "http.response.body", "body": json.dumps(content).encode()})

    async def http_disconnect(self, event):
        raise StopConsumer()
