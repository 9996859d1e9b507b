"""Bad input never crashes a consumer: a crashed worker serves nobody.

A classic wrong solution to exercise 06.1: n is squared unchecked, so a string crashes the worker.
The check says: "bad input"
"""

from channels.consumer import AsyncConsumer


class SquareWorker(AsyncConsumer):
    async def square_job(self, event):
        """Called for each {"type": "square.job", "n": <int>, "reply_to": <channel>}."""
        n = event["n"]
        await self.channel_layer.send(event["reply_to"], {"type": "square.done", "result": n * n})
