"""Exercise 06.1: A worker consumer that squares numbers.

SquareWorker runs under `runworker` (a "channel" scope). For each layer
message {"type": "square.job", "n": <int>, "reply_to": <channel>} it sends
{"type": "square.done", "result": n * n} to the reply_to channel. A job
whose n is not an integer (text, a float, true, missing) gets {"type":
"square.error", "error": "..."} there instead, and so does one whose square
the Redis layer cannot carry (its msgpack holds integers up to 2**64 - 1:
abs(n) of 2**32 or more; send() raises OverflowError then). A job with no
reply_to has nobody to tell. No job ever stops the worker: it serves every
later job.

Rules (the check proves each one, and nothing else):

1. A job {"type": "square.job", "n": <int>, "reply_to": <channel>} is
   answered on its own reply_to with {"type": "square.done", "result":
   n * n}, an int (never a float); negative numbers and 0 too.
2. A job whose n is not an integer (text, "12", 2.5, 3.0, true, null, a
   list, or no n at all) gets {"type": "square.error", "error": "<why>"}
   on its reply_to, the error a sentence that is not empty.
3. A job whose square the Redis layer cannot carry (2**64 or more: abs(n)
   of 2**32 or more) gets {"type": "square.error", ...}; a square up to
   2**64 - 1 is answered with square.done.
4. No job stops the worker: one with no usable reply_to (missing, null,
   empty, a number, no channel name) or whose reply channel is full is
   dropped, and the next job is still answered.
5. The worker never holds the event loop (no blocking call in an async
   handler), and nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 06.1

The check is exercises/06_1_square_worker/check.py; once you have tried,
`python manage.py exercise 06.1 --solution` shows where the solution is.
"""

from channels.consumer import AsyncConsumer


class SquareWorker(AsyncConsumer):
    # TODO: a handler for "square.job" messages
    pass
