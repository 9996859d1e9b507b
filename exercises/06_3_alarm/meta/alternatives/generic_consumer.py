# AsyncWebsocketConsumer (generic): receive(text_data, bytes_data) awaits the layer's group_send itself.
"""Alternative 06.3: the console as an AsyncWebsocketConsumer.

The generic consumer accepts in connect() and hands receive() the frame's
text or bytes; a binary frame has no text_data, so it gets the error frame.
The handler awaits channel_layer.group_send on the server's loop; the
views keep calling sound_alarm() from their sync code.
"""

import json
import re

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

# The chat's room names (lesson 04): anything else is no group name the layer takes.
ROOM = re.compile(r"[A-Za-z0-9_-]{1,50}")
BAD_FRAME = 'expected "<room>:<text>": a room of 1-50 letters, digits, _ or -, and some text'


def alarm_message(text: str) -> dict:
    return {"type": "chat.message", "message": text, "sender": "alarm"}


def sound_alarm(room: str, text: str) -> None:
    """Called from synchronous code (views, commands): do not make it async."""
    async_to_sync(get_channel_layer().group_send)(f"chat-{room}", alarm_message(text))


class AlarmConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        """Called for each frame: text_data for a text frame, bytes_data for a binary one."""
        room, colon, text = (text_data or "").partition(":")
        if not colon or not text or not ROOM.fullmatch(room):
            await self.send(text_data=json.dumps({"error": BAD_FRAME}))
            return
        await self.channel_layer.group_send(f"chat-{room}", alarm_message(text))
        await self.send(text_data=json.dumps({"sounded": room}))
