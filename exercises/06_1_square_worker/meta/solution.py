"""Solution 06.1: a worker consumer that squares numbers.

Why this way: a worker's consumer has a "channel" scope and only ever gets
layer messages; it answers on the channel the job names, because it has no
socket to answer on (lesson 06's PrimesWorker). A reply_to the layer
refuses as a channel name (missing, a number, "not a channel!") is no one
to answer either: send() would raise TypeError there (lesson 04's whisper),
and an exception in a handler ends the worker for every later job, so the
worker asks the layer's own check before anything else. A reply channel too
full to take the answer (its socket gone, or far behind) raises ChannelFull:
that answer is dropped, and the worker goes on. A square the layer cannot
write raises OverflowError in send(): the Redis layer's msgpack holds
integers from -2**63 to 2**64 - 1, and (2**32)**2 is 2**64; the caller is
told so with square.error. The events, in order:

    square.job  -> (from the layer, sent to the worker's channel by anyone)
                   channel_layer.send(reply_to, {"type": "square.done", "result": n * n}),
                   or {"type": "square.error", "error": ...} when n is not an integer
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull


class SquareWorker(AsyncConsumer):
    async def square_job(self, event):
        """Called for each {"type": "square.job", "n": <int>, "reply_to": <channel>}."""
        reply_to = event.get("reply_to")
        try:
            self.channel_layer.require_valid_channel_name(reply_to)  # what send() asks of a channel name
        except TypeError:  # missing, null, a number, "" or "not a channel!": send() would raise it
            return  # nobody to answer; raising would end the worker for every later job
        n = event.get("n")
        # bool is a subclass of int in Python, but true is no number to a client.
        if not isinstance(n, int) or isinstance(n, bool):
            return await self.answer(reply_to, {"type": "square.error", "error": "n must be an integer"})
        try:
            await self.answer(reply_to, {"type": "square.done", "result": n * n})
        except OverflowError:  # the Redis layer's msgpack writes no integer of 2**64 or more
            await self.answer(reply_to, {"type": "square.error", "error": "n * n is too large for the channel layer"})

    async def answer(self, reply_to: str, message: dict) -> None:
        """Called to send one answer: a reply channel too full to take it has nobody reading it in time."""
        try:
            await self.channel_layer.send(reply_to, message)
        except ChannelFull:  # raising would end the worker for every later job
            pass
