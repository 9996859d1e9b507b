"""Solution 06.3: in async code, await the layer directly; async_to_sync is for sync code only.

Why: async_to_sync runs a coroutine by blocking the calling thread until
it is done. On the event loop's own thread that would stop the loop the
coroutine needs, so asgiref refuses with RuntimeError. The consumer awaits
channel_layer.group_send itself, with the same message; sound_alarm()
stays as it is for the views and commands that call it from sync code.
"""

import json

from asgiref.sync import async_to_sync
from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer


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
        await self.channel_layer.group_send(f"chat-{room}", alarm_message(text))
        await self.send({"type": "websocket.send", "text": json.dumps({"sounded": room})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
