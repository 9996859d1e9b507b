"""Lesson 04: a chat room on a channel layer group, on the raw AsyncConsumer.

The plain pattern, nothing else: each socket's consumer has a `channel_name` on
the layer, and the room is a layer *group*, a named set of channel names. The
events, in the order they happen:

    websocket.connect     -> check the room name (bad: accept, close 4400);
                             group_add; websocket.accept
    websocket.receive     -> parse the frame; group_send {"type": "chat.message", ...}.
                             Bad input: {"error": ...} to the sender alone
    chat.message          -> (from the layer, once per socket in the room, the
                             sender's too) websocket.send {"message": ..., "sender": ...}
    websocket.disconnect  -> group_discard; StopConsumer

Its room <room> is the group "plain-chat-<room>". Lesson 05 hardens this exact
consumer for production (layers_demo/hardened_chat.py, the group "chat-<room>"):
the difference between the two files is that lesson. Lesson: lessons/04-channel-layers.md.
"""

import json
import uuid

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from layers_demo.validation import BAD_ROOM, ClientError, is_valid_room, parse_message


class PlainChatConsumer(AsyncConsumer):
    """ws/layers/plain-chat/<room>/: every socket in the room receives every message sent to it."""

    group: str | None = None  # set once the socket has joined its room

    async def websocket_connect(self, event):
        """Called when a client asks to open the socket; the handshake waits for our answer."""
        room = self.scope["url_route"]["kwargs"]["room"]
        if not is_valid_room(room):
            # Accept, then close with 4400: a refused handshake shows a browser only
            # 1006. A bad name never becomes a group, so it can never reach anyone.
            await self.send({"type": "websocket.accept"})
            await self.send({"type": "websocket.close", "code": 4400, "reason": BAD_ROOM})
            return
        # A group of its own: this chat has no flood limit, and lesson 05's room
        # ("chat-<room>") is only as safe as every route that can send into it.
        self.group = f"plain-chat-{room}"
        self.sender = f"guest-{uuid.uuid4().hex[:6]}"
        # Join before accepting: once the client sees the socket open, it is in the room.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame the client sends, text or binary."""
        if self.group is None:
            return  # a frame that raced the 4400 close of a bad room name
        try:
            message = parse_message(event.get("text"))
        except ClientError as error:
            await self.send({"type": "websocket.send", "text": json.dumps({"error": str(error)})})
            return
        # The server writes the layer message; the client only supplies the text.
        # A client-chosen "type" would call any handler method of every consumer
        # in the room ("websocket.disconnect", say).
        await self.channel_layer.group_send(
            self.group, {"type": "chat.message", "message": message, "sender": self.sender}
        )

    async def chat_message(self, event):
        """Called when the layer delivers a "chat.message" to this socket's channel."""
        frame = {"message": event["message"], "sender": event["sender"]}
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def websocket_disconnect(self, event):
        """Called once the socket is closed, by either side."""
        if self.group is not None:
            # Leave the room; otherwise group_send keeps queueing messages for a
            # channel nobody reads until the layer's group_expiry.
            await self.channel_layer.group_discard(self.group, self.channel_name)
        raise StopConsumer()
