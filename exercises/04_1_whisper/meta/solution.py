"""Solution 04.1: a chat room where a message can go to one socket only.

Events, in order: websocket.connect (join "exroom", accept, send {"you":
channel name}); websocket.receive for each frame (a group_send to the room,
or a channel_layer.send to one channel); chat.message from the layer for each
message this socket must show; websocket.disconnect (leave the room).

Why this way: a group_send reaches every channel in the group; a
channel_layer.send reaches exactly one channel, named by its channel_name.
Both deliver the same "chat.message", so one handler serves both (lesson 04).
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull, StopConsumer

GROUP = "exroom"


def is_text(value: object) -> bool:
    """True for a non-empty string that is valid Unicode."""
    if not isinstance(value, str) or not value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # JSON may spell a lone surrogate ("\ud800"); no browser can show it
        return False
    return True


class WhisperConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket: join the room, say its address."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"you": self.channel_name})})

    async def websocket_receive(self, event):
        """Called for every frame: {"message": m} to all, {"to": address, "message": m} to one."""
        try:
            data = json.loads(event.get("text") or "")
        except (ValueError, RecursionError):  # not JSON, a binary frame (no "text"), or "[[[[..." nested too deep
            data = None
        if not isinstance(data, dict) or not is_text(data.get("message")):
            await self.refuse('expected {"message": "<text>"}, optionally with "to": "<address>"')
            return
        message = {"type": "chat.message", "message": data["message"]}
        if "to" not in data:
            await self.channel_layer.group_send(GROUP, message)
            return
        try:
            # A "to" of any kind goes to the layer, never to the room: a bad address must not become a broadcast.
            await self.channel_layer.send(data["to"], message)
        except TypeError:  # the layer refuses what is no channel name: the client's mistake, not a crash
            await self.refuse("no such address")
        except ChannelFull:  # a socket that reads nothing (gone, or stuck): its channel holds 100 messages
            await self.refuse("not delivered: that socket is not reading its messages")

    async def refuse(self, reason):
        """Called for bad input: the reason goes to this socket alone."""
        await self.send({"type": "websocket.send", "text": json.dumps({"error": reason})})

    async def chat_message(self, event):
        """Called when the layer delivers a chat.message, from the room or whispered."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: leave the room, or its messages pile up for no one."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
