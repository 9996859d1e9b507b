"""Exercise 04.3 (fix): the first message in the room crashes every socket in it.

RoomConsumer is lesson 04's chat, small: each socket joins the group
"fixroom", and a text frame m goes to the whole group as a layer message;
each socket in the room sends {"message": m} to its client. The sockets
open. Then the first message closes every socket in the room (1011), and the
server's log shows

    ValueError: No handler for message type chat.message

(django/channels#1184; lesson 04 explains how a layer message finds its
handler). Find the mistake and fix it.

Rules (the check proves each one, and nothing else):

1. Each socket is in the group "fixroom" the moment it is accepted, and
   each text frame m reaches every socket in the room, the sender's too,
   as {"message": m}, exactly as sent (spaces, line breaks, markup,
   emoji).
2. One sender's messages reach the room in the order sent: each
   group_send is awaited in its handler (none left to a task), and no
   handler sleeps or stalls the event loop.
3. A frame without text reaches no one: a binary frame, and an empty
   text frame "" (the frame 03.3 answers; this room drops it), and the
   room works on after it.
4. A socket that closed, whatever its close code, has left the group,
   and its consumer has ended.
5. No frame crashes the consumer (a binary frame may get any answer, or
   none).
6. When the channel layer fails (its Redis down), the failure is told,
   never swallowed: let the error through (the socket closes with 1011
   and the server logs it), or answer {"error": ...}.
7. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
