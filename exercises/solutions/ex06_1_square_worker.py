"""Solution 06.1: a worker consumer that squares numbers.

Why this way: a worker's consumer has a "channel" scope and only ever gets
layer messages; it answers on the channel the job names, because it has no
socket to answer on (lesson 06's PrimesWorker).
"""

from channels.consumer import AsyncConsumer


class SquareWorker(AsyncConsumer):
    async def square_job(self, event):
        """Called for each {"type": "square.job", "n": <int>, "reply_to": <channel>}."""
        n = event.get("n")
        if not isinstance(n, int) or isinstance(n, bool):
            await self.channel_layer.send(event["reply_to"], {"type": "square.error", "error": "n must be an integer"})
            return
        await self.channel_layer.send(event["reply_to"], {"type": "square.done", "result": n * n})
