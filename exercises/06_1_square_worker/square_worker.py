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

Edit this file, then check it:

    python manage.py exercise 06.1

The check is exercises/06_1_square_worker/check.py; once you have tried,
`python manage.py exercise 06.1 --solution` shows where the solution is.
"""

from channels.consumer import AsyncConsumer


class SquareWorker(AsyncConsumer):
    # TODO: a handler for "square.job" messages
    pass
