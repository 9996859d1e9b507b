"""Exercise 10.3 (fix): small uploads are added up; big ones get 400 "not JSON".

TotalConsumer is a raw HTTP consumer: a POST whose body is a JSON list of
numbers gets 200 {"total": <their sum>}; a body that is not such a list gets
400 {"error": ...}. With curl and a few numbers it works. Served by Daphne,
a client posting the numbers 0 to 2999 (a valid JSON body of 17 KB) gets

    400 {"error": "not JSON: Expecting ',' delimiter: line 1 column 8193 (char 8192)"}

and other bodies other JSON errors, depending on where they were cut. The
ASGI spec says how a server hands a body to an application (the
http.request event, "more_body"). Find the mistake and fix it.

Rules (the check proves each one, and nothing else):

1. A POST whose body is a JSON list of numbers gets 200 {"total": <sum>},
   whether the body comes in one http.request event or in several (more_body
   true on all but the last; an event without more_body is the last part),
   and whatever content-type the client says (curl -d sends
   application/x-www-form-urlencoded, fetch() of a string text/plain).
2. Each request is parsed on its own: two at once are added up apart.
3. An empty list, and a list of zeros, add up to 0.
4. A body that is not a JSON list of finite numbers (not JSON, another
   shape, true, NaN, Infinity, a number or a total past a double's range,
   nested too deep) gets 400 {"error": "<what was wrong>"}.
5. Each answer is one response, its body JSON in bytes (content-type
   application/json), and then the consumer ends: by itself, or on the
   http.disconnect the server sends once the response is complete.
6. The consumer ends cleanly when the client leaves mid-body; a query and a
   header that are not UTF-8 get an answer; nothing in this file sets
   DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 10.3

The check is exercises/10_3_total/check.py; once you have tried,
`python manage.py exercise 10.3 --solution` shows where the solution is.
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
    async def http_request(self, event):
        # TODO: is this event's body the whole body?
        body = event.get("body", b"")
        try:
            numbers = json.loads(body)
        except ValueError as error:
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
        raise StopConsumer()

    async def http_disconnect(self, event):
        raise StopConsumer()
