# A SyncConsumer worker: each job handled on the sync thread, the layer's send run through async_to_sync.
"""Alternative 06.1: the same worker written as a SyncConsumer.

runworker serves a SyncConsumer as well as an AsyncConsumer: its handlers
run in the one sync thread, so the layer's coroutine send() is called
through async_to_sync. Everything the layer raises (TypeError for a
reply_to that is no channel, ChannelFull, OverflowError for a square
msgpack cannot write) comes back out of async_to_sync as it was raised.
The events, in order:

    square.job  -> async_to_sync(channel_layer.send)(reply_to, {"type": "square.done", "result": n * n}),
                   or {"type": "square.error", "error": ...}
"""

from asgiref.sync import async_to_sync
from channels.consumer import SyncConsumer
from channels.exceptions import ChannelFull


class SquareWorker(SyncConsumer):
    def square_job(self, event):
        """Called for each {"type": "square.job", "n": <int>, "reply_to": <channel>}."""
        reply_to, n = event.get("reply_to"), event.get("n")
        if not isinstance(reply_to, str) or not reply_to:
            return  # nobody to answer
        if isinstance(n, bool) or not isinstance(n, int):
            self.reply(reply_to, {"type": "square.error", "error": f"n must be an integer, not {n!r}"})
            return
        try:
            self.reply(reply_to, {"type": "square.done", "result": n * n})
        except OverflowError:
            self.reply(reply_to, {"type": "square.error", "error": f"{n} squared is too large to send"})

    def reply(self, reply_to: str, message: dict) -> None:
        """Called to send one answer; a channel name the layer refuses, or a full channel, is nobody to tell."""
        try:
            async_to_sync(self.channel_layer.send)(reply_to, message)
        except (TypeError, ChannelFull):  # raising would end the worker for every later job
            pass
