# The whole frame matched by one re.fullmatch with DOTALL, room and text as its groups, and the layer awaited: still no async_to_sync on the loop.
"""Alternative 06.3: one pattern reads "<room>:<text>"; the consumer awaits group_send.

A room holds no ":", so the room group ends at the first colon and the text
may hold more; re.DOTALL lets the text run over lines. sound_alarm() stays
synchronous for the views and commands that call it.
"""

import json
import re

from asgiref.sync import async_to_sync
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer

FRAME = re.compile(r"(?P<room>[A-Za-z0-9_-]{1,50}):(?P<text>.+)", re.DOTALL)
BAD_FRAME = 'expected "<room>:<text>": a room of 1-50 letters, digits, _ or -, and some text'


def alarm_message(text: str) -> dict:
    return {"type": "chat.message", "message": text, "sender": "alarm"}


def sound_alarm(room: str, text: str) -> None:
    """Called from synchronous code (views, commands): do not make it async."""
    async_to_sync(get_channel_layer().group_send)(f"chat-{room}", alarm_message(text))


class AlarmConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        found = FRAME.fullmatch(event.get("text") or "")
        if found is None:
            reply = {"error": BAD_FRAME}
        else:
            await self.channel_layer.group_send(f"chat-{found['room']}", alarm_message(found["text"]))
            reply = {"sounded": found["room"]}
        await self.send({"type": "websocket.send", "text": json.dumps(reply)})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
