# Bad input raised as one small ClientError by a frame reader and caught in one place: every refusal still goes to the sender alone, a whisper to one channel.
"""Alternative 04.1: read_frame() raises ClientError, websocket_receive sends it as {"error": ...}.

Events, in order: websocket.connect (join "exroom", accept, send {"you":
channel name}); websocket.receive for each frame (a group_send to the room,
or a channel_layer.send to one channel); chat.message from the layer for each
message this socket must show; websocket.disconnect (leave the room).

Where the solution checks and returns, this one raises: a frame is read into
(message, to) or refused with its reason, and the one except sends the reason
to this socket only. A lone surrogate ("\\ud800" in the JSON) is refused by
range, as no browser can show it.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull, StopConsumer

GROUP = "exroom"
SHAPE = 'expected {"message": "<text>"}, optionally with "to": "<address>"'
ROOM = object()  # no "to" at all: a "to" of null is a bad address, never the room


class ClientError(Exception):
    """Bad input from the client: its text goes back to that client as {"error": ...}."""


def read_frame(event) -> tuple[str, object]:
    """The frame's message and its "to" (ROOM when it has none), or ClientError."""
    try:
        data = json.loads(event.get("text") or "")
    except (ValueError, RecursionError) as error:  # not JSON, a binary frame, or nested too deep
        raise ClientError(SHAPE) from error
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, str) or message == "" or any("\ud800" <= c <= "\udfff" for c in message):
        raise ClientError(SHAPE)
    return message, data.get("to", ROOM)


class WhisperConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket: join the room, say its address."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"you": self.channel_name})})

    async def websocket_receive(self, event):
        """Called for every frame: {"message": m} to all, {"to": address, "message": m} to one."""
        try:
            message, to = read_frame(event)
            await self.deliver({"type": "chat.message", "message": message}, to)
        except ClientError as error:
            await self.send({"type": "websocket.send", "text": json.dumps({"error": str(error)})})

    async def deliver(self, message, to):
        """Called for a good frame: the room when there is no "to", else that one channel, or ClientError."""
        if to is ROOM:
            await self.channel_layer.group_send(GROUP, message)
            return
        try:
            await self.channel_layer.send(to, message)
        except TypeError as error:  # the layer refuses what is no channel name
            raise ClientError("no such address") from error
        except ChannelFull as error:  # a socket that reads nothing: its channel is full
            raise ClientError("not delivered: that socket is not reading its messages") from error

    async def chat_message(self, event):
        """Called when the layer delivers a chat.message, from the room or whispered."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: leave the room."""
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
