"""Lesson 08: the liveblog's socket, on a raw AsyncConsumer. It only listens.

The events, in the order they happen:
    websocket.connect    -> join the "liveblog" group; websocket.accept
    post.published       -> websocket.send {"post": {"id", "title", "body"}}
                            (group_send by db_demo/signals.py, after COMMIT)
    websocket.receive    -> {"error": ...}: this socket takes no input
    websocket.disconnect -> leave the group; StopConsumer

No query here: whoever saved the Post sent its fields along.
Lesson: lessons/08-database.md.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from db_demo.signals import LIVEBLOG_GROUP


class LiveblogConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/liveblog/."""
        await self.channel_layer.group_add(LIVEBLOG_GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def post_published(self, event):
        """Called when a Post was saved and committed, in this process or another (post.published)."""
        await self.send({"type": "websocket.send", "text": json.dumps({"post": event["post"]})})

    async def websocket_receive(self, event):
        """Called when the client sends a frame: there is nothing to send here."""
        error = "this socket only receives posts; save one in the admin or with `python manage.py post`"
        await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        await self.channel_layer.group_discard(LIVEBLOG_GROUP, self.channel_name)
        raise StopConsumer
