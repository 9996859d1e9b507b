"""Solution 03.3: `await self.send(...)`.

Why: in an async consumer, send() is a coroutine function. Calling it only
builds a coroutine object; nothing runs until it is awaited, and Python
warns when that object is thrown away ("was never awaited"). Every
self.send, self.accept, self.close and channel_layer call in async code is
awaited (lessons 02 and 03).
"""

from channels.generic.websocket import AsyncWebsocketConsumer


class PoliteEchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        """Called when a client opens the socket."""
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        """Called for every frame: a text frame gets its polite answer, a binary one nothing."""
        if text_data is None:
            return
        await self.send(text_data=f"you said: {text_data}")
