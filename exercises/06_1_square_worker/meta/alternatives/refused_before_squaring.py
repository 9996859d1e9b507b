# An AsyncConsumer that checks the job with match/case and refuses abs(n) >= 2**32 before squaring (no OverflowError to catch).
"""Alternative 06.1: every job sorted with one match statement before anything is sent.

A job whose n is a real int (not bool: `case bool()` comes first) and
whose square fits msgpack's 2**64 - 1 is answered with square.done; the
rest get square.error. A reply_to that is not a string the layer takes
is nobody to answer. The events, in order:

    square.job  -> channel_layer.send(reply_to, {"type": "square.done", "result": n * n}),
                   or {"type": "square.error", "error": ...}
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull

LARGEST = 2**32 - 1  # its square, 2**64 - 2**33 + 1, is the largest one msgpack still writes


class SquareWorker(AsyncConsumer):
    async def square_job(self, event):
        """Called for each {"type": "square.job", "n": <int>, "reply_to": <channel>}."""
        match event.get("n"):
            case bool():
                answer = {"type": "square.error", "error": "n must be an integer, not true or false"}
            case int(n) if abs(n) <= LARGEST:
                answer = {"type": "square.done", "result": n * n}
            case int():
                answer = {"type": "square.error", "error": "abs(n) must be below 2**32 for the square to fit"}
            case _:
                answer = {"type": "square.error", "error": "n must be an integer"}
        try:
            await self.channel_layer.send(event.get("reply_to"), answer)
        except (TypeError, ChannelFull):  # no channel to answer on, or nobody reading it: serve the next job
            pass
