# An async twin, asound_alarm(), awaited by the consumer; sound_alarm() is async_to_sync(asound_alarm) for sync callers.
"""Alternative 06.3: one alarm function for async code, and its sync face for views.

asound_alarm() is the coroutine the consumer awaits on the event loop;
sound_alarm = async_to_sync(asound_alarm) keeps the name and the plain
call for the views and commands (async_to_sync may only run where no
event loop is running in the thread, which is where they call it).
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


async def asound_alarm(room: str, text: str) -> None:
    """Called from async code (a consumer): await it."""
    await get_channel_layer().group_send(f"chat-{room}", alarm_message(text))


sound_alarm = async_to_sync(asound_alarm)  # for synchronous code (views, commands)


class AlarmConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        room, _, text = (event.get("text") or "").partition(":")
        if not ROOM.fullmatch(room) or not text:  # bad input gets an error frame, never a crash
            await self.send({"type": "websocket.send", "text": json.dumps({"error": BAD_FRAME})})
            return
        await asound_alarm(room, text)
        await self.send({"type": "websocket.send", "text": json.dumps({"sounded": room})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
