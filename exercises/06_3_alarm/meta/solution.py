"""Solution 06.3: in async code, await the layer directly; async_to_sync is for sync code only.

Why: async_to_sync runs a coroutine by blocking the calling thread until
it is done. On the event loop's own thread that would stop the loop the
coroutine needs, so asgiref refuses with RuntimeError. The consumer awaits
channel_layer.group_send itself, with the same message; sound_alarm()
stays as it is for the views and commands that call it from sync code.
"""

import json
import re

from asgiref.sync import async_to_sync
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer

# The chat's room names (lesson 04): anything else is no group name the layer takes.
ROOM = re.compile(r"[A-Za-z0-9_-]{1,50}")
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
        room, _, text = (event.get("text") or "").partition(":")
        if not ROOM.fullmatch(room) or not text:  # bad input gets an error frame, never a crash
            await self.send({"type": "websocket.send", "text": json.dumps({"error": BAD_FRAME})})
            return
        await self.channel_layer.group_send(f"chat-{room}", alarm_message(text))
        await self.send({"type": "websocket.send", "text": json.dumps({"sounded": room})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
