# The generic AsyncJsonWebsocketConsumer: receive() decodes the frame itself (no text, not JSON, too deep: an error), receive_json() relays it.
"""Alternative 04.1: AsyncJsonWebsocketConsumer, connect/receive_json/disconnect and send_json.

Events, in order: websocket.connect (connect(): join "exroom", accept, send
{"you": channel name}); websocket.receive for each frame (receive(), then
receive_json(): a group_send to the room, or a channel_layer.send to one
channel); chat.message from the layer for each message this socket must
show; websocket.disconnect (disconnect(): leave the room).

The generic receive() would raise on a binary or an empty frame ("No text
section") and on text that is not JSON: it is overridden so that every such
frame is bad input, answered with an error, like any other.
"""

import re

from channels.exceptions import ChannelFull
from channels.generic.websocket import AsyncJsonWebsocketConsumer

GROUP = "exroom"
SHAPE = 'expected {"message": "<text>"}, optionally with "to": "<address>"'
SURROGATE = re.compile("[\ud800-\udfff]")  # JSON may spell a lone surrogate ("\ud800"); no browser can show it


class WhisperConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        """Called when a client opens the socket: join the room, accept, say its address."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()
        await self.send_json({"you": self.channel_name})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called for every frame: only a text frame holding JSON goes on to receive_json()."""
        try:
            content = await self.decode_json(text_data or "")
        except (ValueError, RecursionError):  # a binary or empty frame, not JSON, or nested too deep
            content = None
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        """Called with each decoded frame: {"message": m} to all, {"to": address, "message": m} to one."""
        message = content.get("message") if isinstance(content, dict) else None
        if not isinstance(message, str) or not message or SURROGATE.search(message):
            await self.send_json({"error": SHAPE})
            return
        layer_message = {"type": "chat.message", "message": message}
        if "to" not in content:
            await self.channel_layer.group_send(GROUP, layer_message)
            return
        try:
            await self.channel_layer.send(content["to"], layer_message)
        except TypeError:  # not a channel name the layer takes
            await self.send_json({"error": "no such address"})
        except ChannelFull:  # that socket reads nothing: its channel is full
            await self.send_json({"error": "not delivered: that socket is not reading its messages"})

    async def chat_message(self, event):
        """Called when the layer delivers a chat.message, from the room or whispered."""
        await self.send_json({"message": event["message"]})

    async def disconnect(self, code):
        """Called when the socket has closed, whatever its code: leave the room."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
