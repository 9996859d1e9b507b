"""Exercise 04.3 (fix): the first message in the room crashes every socket in it.

RoomConsumer is lesson 04's chat, small: each socket joins the group
"fixroom", and a text frame m goes to the whole group as a layer message;
each socket in the room sends {"message": m} to its client. The sockets
open. Then the first message closes every socket in the room (1011), and the
server's log shows

    ValueError: No handler for message type chat.message

(django/channels#1184; lesson 04 explains how a layer message finds its
handler). Find the mistake and fix it.

Edit this file, then check it:

    python manage.py exercise 04.3

The check is exercises/04_3_room_handler/check.py; once you have tried,
`python manage.py exercise 04.3 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixroom"


class RoomConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        if event.get("text"):
            await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event["text"]})

    # TODO: which method does a layer message of type "chat.message" call?
    async def on_chat_message(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        raise StopConsumer()
