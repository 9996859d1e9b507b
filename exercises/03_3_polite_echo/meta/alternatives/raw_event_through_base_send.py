# The answer sent as lesson 02's literal event dict through self.base_send, awaited: what the generic send() builds for you.
"""Alternative 03.3: the websocket.send event written out, and awaited.

AsyncWebsocketConsumer.send(text_data=...) builds {"type": "websocket.send",
"text": ...} and awaits base_send with it; doing that by hand is the same
frame, as long as it is awaited.
"""

from channels.generic.websocket import AsyncWebsocketConsumer


class PoliteEchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            return
        await self.base_send({"type": "websocket.send", "text": f"you said: {text_data}"})
