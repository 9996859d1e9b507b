"""Wrong: in async code you await a coroutine; async_to_sync() is for sync code and refuses to run on the event loop.

async_to_sync(self.send)(...) inside an async handler raises RuntimeError:
"You cannot use AsyncToSync in the same thread as an async event loop -
just await the async function directly."

The check says: "your code raised RuntimeError: You cannot use AsyncToSync in"
"""

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer


class PoliteEchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            return
        async_to_sync(self.send)(text_data=f"you said: {text_data}")
