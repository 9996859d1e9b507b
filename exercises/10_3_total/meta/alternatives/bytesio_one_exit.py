"""Alternative 10.3, an io.BytesIO buffer and one place that answers: parse() raises, http_request() answers.

Still right: every http.request event's body is written to this instance's buffer and nothing is parsed
before the part whose more_body is false (the ASGI spec); json.loads's parse_constant turns NaN and
Infinity away as not JSON, is_number() still refuses booleans, strings and numbers no double holds, and
every refusal is a 400 {"error": ...}.
"""

import io
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


def refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is no JSON number")


def parse(body: bytes) -> int | float:
    """The total of a JSON list of numbers; ValueError, saying why, for anything else."""
    try:
        numbers = json.loads(body, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as error:  # RecursionError: "[[[[..." nested too deep to decode
        raise ValueError(f"not JSON: {error}") from None
    if not isinstance(numbers, list) or not all(map(is_number, numbers)):
        raise ValueError("expected a JSON list of numbers")
    total = sum(numbers)
    if not is_number(total):
        raise ValueError("the total is too large for a JSON number")
    return total


class TotalConsumer(AsyncConsumer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.body = io.BytesIO()  # this request's body so far

    async def http_request(self, event):
        self.body.write(event.get("body", b""))
        if event.get("more_body"):
            return  # more of the body is coming
        try:
            await self.answer(200, {"total": parse(self.body.getvalue())})
        except ValueError as error:
            await self.answer(400, {"error": str(error)})

    async def answer(self, status: int, content: dict) -> None:
        await self.send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await self.send({"type": "http.response.body", "body": json.dumps(content).encode()})
        raise StopConsumer()

    async def http_disconnect(self, event):
        raise StopConsumer()
