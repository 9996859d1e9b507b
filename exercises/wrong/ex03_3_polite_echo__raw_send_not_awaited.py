"""Wrong: in an async consumer every send is awaited; a raw send dict does not fix a missing await.

Switching to the raw send, self.base_send({"type": "websocket.send", ...}),
keeps the same mistake: the coroutine is built and thrown away.

The check says: "no answer, and Python warned: RuntimeWarning: coroutine"
"""

from channels.generic.websocket import AsyncWebsocketConsumer


class PoliteEchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            return
        self.base_send({"type": "websocket.send", "text": f"you said: {text_data}"})
