"""Exercise 03.1: A JSON consumer that adds two numbers.

AdderConsumer (an AsyncJsonWebsocketConsumer) answers {"a": 2, "b": 3.5}
with {"sum": 5.5}. Anything else (not JSON, not an object, a missing or
non-number a or b, booleans) gets {"error": "..."} and the socket stays open.

Edit this file, then check it:

    python manage.py exercise 03.1

The check is exercises/checks/check_03_1_adder.py; once you have tried,
`python manage.py exercise 03.1 --solution` shows where the solution is.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class AdderConsumer(AsyncJsonWebsocketConsumer):
    async def receive_json(self, content, **kwargs):
        """Called with each decoded JSON frame."""
        # TODO: {"sum": a + b}, or {"error": ...} for bad input (and catch malformed JSON too)
