"""Lesson 04: the same chat room on AsyncWebsocketConsumer, the shape of the Channels docs' tutorial.

AsyncWebsocketConsumer turns the raw events into methods (lesson 03):

    websocket.connect     -> connect(): check the room, group_add, accept()
    websocket.receive     -> receive(text_data, bytes_data): group_send
    chat.message          -> chat_message(event): send(text_data=...)
    websocket.disconnect  -> disconnect(code): group_discard; the class raises StopConsumer

Its `groups` class attribute would join fixed groups for us; a room named in
the URL is known only on connect, so this consumer joins and leaves it itself,
as the tutorial does. It is the twin of layers_demo/plain_chat.py: the same
layer messages, in groups of its own ("generic-chat-<room>"). Lesson: lessons/04-channel-layers.md.
"""

import json
import uuid

from channels.generic.websocket import AsyncWebsocketConsumer

from layers_demo.validation import ClientError, is_valid_room, parse_message


class GenericChatConsumer(AsyncWebsocketConsumer):
    """ws/layers/generic-chat/<room>/: lesson 04's room, written the way the Channels docs write it."""

    room_group_name: str | None = None

    async def connect(self):
        """Called on websocket.connect."""
        room = self.scope["url_route"]["kwargs"]["room"]
        if not is_valid_room(room):
            await self.accept()
            await self.close(code=4400)
            return
        # A group of its own, as the plain chat's: no flood limit, so never lesson 05's room.
        self.room_group_name = f"generic-chat-{room}"
        self.sender = f"guest-{uuid.uuid4().hex[:6]}"
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        """Called on websocket.receive, with the frame's text or bytes."""
        if self.room_group_name is None:
            return
        try:
            message = parse_message(text_data)
        except ClientError as error:
            await self.send(text_data=json.dumps({"error": str(error)}))
            return
        await self.channel_layer.group_send(
            self.room_group_name, {"type": "chat.message", "message": message, "sender": self.sender}
        )

    async def chat_message(self, event):
        """Called when the layer delivers a "chat.message" to this socket's channel."""
        await self.send(text_data=json.dumps({"message": event["message"], "sender": event["sender"]}))

    async def disconnect(self, code):
        """Called on websocket.disconnect; the base class raises StopConsumer after it."""
        if self.room_group_name is not None:
            await self.channel_layer.group_discard(self.room_group_name, self.channel_name)
