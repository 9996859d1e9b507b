"""Exercise 03.1: A JSON consumer that adds two numbers.

AdderConsumer (an AsyncJsonWebsocketConsumer) answers {"a": 2, "b": 3.5}
with {"sum": 5.5}, on each socket for that socket alone. Anything else gets
{"error": "..."} on its own socket, and the socket stays open: not JSON, a
binary frame, not an object, a missing or non-number a or b (booleans and
numeric strings like "1" are not numbers), and NaN, Infinity or a number or
sum beyond a double's range (1e308 + 1e308), which have no JSON form a
browser can read.

Edit this file, then check it:

    python manage.py exercise 03.1

The check is exercises/03_1_adder/check.py; once you have tried,
`python manage.py exercise 03.1 --solution` shows where the solution is.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class AdderConsumer(AsyncJsonWebsocketConsumer):
    async def receive_json(self, content, **kwargs):
        """Called with each decoded JSON frame."""
        # TODO: {"sum": a + b}, or {"error": ...} for bad input (and catch malformed JSON too)
