"""Wrong: code on a running event loop awaits; it cannot run the loop again (run_until_complete) to wait.

asyncio's loop refuses: RuntimeError: This event loop is already running.

The check says: "your code raised RuntimeError: This event loop is already"
"""

import asyncio
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
        asyncio.get_running_loop().run_until_complete(
            self.channel_layer.group_send(f"chat-{room}", alarm_message(text))
        )
        await self.send({"type": "websocket.send", "text": json.dumps({"sounded": room})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
