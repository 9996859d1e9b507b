"""Exercise 03.1: A JSON consumer that adds two numbers.

AdderConsumer (the starter's AsyncJsonWebsocketConsumer, or any consumer you
like) answers {"a": 2, "b": 3.5} with {"sum": 5.5}; anything else gets
{"error": "..."}.

Rules (the check proves each one, and nothing else):

1. {"a": <number>, "b": <number>} gets {"sum": a + b} (integers and
   floats, below zero, zero, the largest double), on that socket alone.
2. A frame that is not a JSON object (not JSON, a binary frame, a list, a
   string, null, a number, JSON nested 100,000 deep) gets {"error": "..."}
   on its own socket only; the socket stays open and still adds. No frame
   of any kind crashes the consumer.
3. A missing or non-number a or b (true, false, null, numeric strings like
   "1", lists, objects) gets {"error": "..."} the same way.
4. NaN, Infinity, a number beyond a double's range, and a sum beyond it
   (1e308 + 1e308, and -1e308 + -1e308 below zero) get {"error": "..."}
   the same way: they have no JSON form a browser can read.
5. The consumer ends on websocket.disconnect.
6. Nothing holds the event loop (no blocking call, no time.sleep).
7. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
