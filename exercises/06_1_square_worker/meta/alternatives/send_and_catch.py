# The reply_to checked by sending and catching the layer's TypeError (not by asking first), n by type() is int: every bad job is still answered or dropped, the worker never stops.
"""Alternative 06.1: build the answer, send it, and catch what the layer raises.

The layer's send() raises TypeError for a reply_to that is no channel name
(missing, a number, "not a channel!"): nobody to answer, so the job is
dropped. ChannelFull: the reply channel is too far behind, dropped too.
OverflowError: the square is too large for the Redis layer's msgpack, so the
caller gets square.error instead. `type(n) is int` refuses True, which is
an int subclass. The events, in order:

    square.job  -> channel_layer.send(reply_to, {"type": "square.done", "result": n * n}),
                   or {"type": "square.error", "error": ...}
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull


class SquareWorker(AsyncConsumer):
    async def square_job(self, event):
        """Called for each {"type": "square.job", "n": <int>, "reply_to": <channel>}."""
        n = event.get("n")
        if type(n) is int:
            answer = {"type": "square.done", "result": n * n}
        else:
            answer = {"type": "square.error", "error": "n must be an integer"}
        try:
            await self.reply(event.get("reply_to"), answer)
        except OverflowError:
            await self.reply(event["reply_to"], {"type": "square.error", "error": "the square is too large to send"})

    async def reply(self, reply_to, message: dict) -> None:
        """Called to send one answer; a reply_to that is no channel, or a full one, has nobody to tell."""
        try:
            await self.channel_layer.send(reply_to, message)
        except (TypeError, ChannelFull):  # raising would end the worker for every later job
            pass
