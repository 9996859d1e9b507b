"""Exercise 04.5 (fix): the synchronous chat sends, and nobody hears.

SyncRoomConsumer is the chat of Channels' own tutorial: a synchronous
WebsocketConsumer that joins the group "fixsyncroom" on connect and sends
each text frame t to the room; every socket in the room gets {"message": t}.
The sockets open, the frames go out, and nobody (the sender included) ever
receives anything. The only trace is a warning in the server's log:

    RuntimeWarning: coroutine 'InMemoryChannelLayer.group_send' was never awaited

('RedisChannelLayer.group_send' on Redis; django/channels#944 is the same
mistake, made on group_add). Find the mistake and fix it; the consumer stays
synchronous.

Rules (the check proves each one, and nothing else):

1. Each text frame t reaches every socket in the room "fixsyncroom", the
   sender's too, as {"message": t}, exactly as sent (a frame of spaces
   too); one sender's messages arrive in the order sent, and a binary
   frame reaches no one.
2. receive() runs each group_send to its end before it returns (none
   left to a task or another thread), and no handler stalls the
   process's event loop (no time.sleep, no event loop of its own).
3. A socket that closed, whatever its close code, has left the group,
   and its consumer has ended (override disconnect(), not
   websocket_disconnect).
4. When the layer's group_send fails (its Redis down), the failure is
   told, never swallowed: let the error through (the socket closes with
   1011 and the server logs it), or answer {"error": ...}; a failing
   group_add is told too.
5. The consumer stays synchronous (a WebsocketConsumer or another
   SyncConsumer).
6. No frame crashes the consumer (a binary frame may get any answer, or
   none).
7. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 04.5

The check is exercises/04_5_sync_room/check.py; once you have tried,
`python manage.py exercise 04.5 --solution` shows where the solution is.
"""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

GROUP = "fixsyncroom"


class SyncRoomConsumer(WebsocketConsumer):
    def connect(self):
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        if text_data:
            # TODO: what does calling a channel layer method return?
            self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": text_data})

    def chat_message(self, event):
        self.send(text_data=json.dumps({"message": event["message"]}))

    def disconnect(self, code):
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
