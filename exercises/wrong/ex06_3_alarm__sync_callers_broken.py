"""Wrong: sound_alarm() is called from synchronous code too; making it async breaks every sync caller.

An async sound_alarm works for the consumer, but a view calling
sound_alarm(room, text) now only builds a coroutine and sends nothing.

The check says: "sound_alarm is now async: a view calling sound_alarm(room"
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer


def alarm_message(text: str) -> dict:
    return {"type": "chat.message", "message": text, "sender": "alarm"}


async def sound_alarm(room: str, text: str) -> None:
    """Called from synchronous code (views, commands): do not make it async."""
    await get_channel_layer().group_send(f"chat-{room}", alarm_message(text))


class AlarmConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        room, _, text = (event.get("text") or "").partition(":")
        await sound_alarm(room, text)
        await self.send({"type": "websocket.send", "text": json.dumps({"sounded": room})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
