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
