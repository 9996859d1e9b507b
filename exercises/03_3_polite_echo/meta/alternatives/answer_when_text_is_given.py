# The guard turned around: `if text_data is not None:` around one awaited send, the answer built by concatenation.
"""Alternative 03.3: answer when there is text, say nothing otherwise.

`is not None` keeps the empty text a text frame, so "" is answered too;
a binary frame (text_data None) falls past the if and gets nothing.
"""

from channels.generic.websocket import AsyncWebsocketConsumer


class PoliteEchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is not None:
            await self.send(text_data="you said: " + text_data)
