"""A worker has no socket: it answers with channel_layer.send(event["reply_to"], ...).

A classic wrong solution to exercise 06.1: the answer goes to self.send, which a worker's scope has nowhere to deliver.
The check says: "reply_to"
"""

from channels.consumer import AsyncConsumer


class SquareWorker(AsyncConsumer):
    async def square_job(self, event):
        """Called for each {"type": "square.job", "n": <int>, "reply_to": <channel>}."""
        n = event.get("n")
        if not isinstance(n, int) or isinstance(n, bool):
            await self.channel_layer.send(event["reply_to"], {"type": "square.error", "error": "n must be an integer"})
            return
        await self.send({"type": "square.done", "result": n * n})
