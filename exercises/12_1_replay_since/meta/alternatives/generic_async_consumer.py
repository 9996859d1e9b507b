"""Alternative 12.1, AsyncWebsocketConsumer (generic): connect() accepts, replays or closes; receive() answers an error.

Still right: since is read with parse_qs (blank values kept, so a second, empty since counts) and must be
ASCII digits (str.isdecimal() alone takes "١"); the query runs in database_sync_to_async, a slice of the
newest 100 by id, then sorted by id for the replay; close(code=4400) is the generic close, and nothing
is sent after it. The generic consumer raises StopConsumer on websocket.disconnect.
"""

import json
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from db_demo.models import Post


@database_sync_to_async
def newest_after(since: int) -> list[dict]:
    posts = list(Post.objects.filter(pk__gt=since).order_by("-pk")[:100])
    return [post.as_frame() for post in sorted(posts, key=lambda post: post.pk)]


class ReplaySinceConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        """Called on websocket.connect: accept, then the replay or a 4400."""
        await self.accept()
        values = parse_qs(self.scope["query_string"].decode("latin-1"), keep_blank_values=True).get("since", [])
        since = None
        if len(values) == 1 and values[0].isascii() and values[0].isdecimal():
            try:
                since = int(values[0])
            except ValueError:  # past Python's 4300 digits
                since = None
        self.closed = since is None  # nothing follows the close, not even an answer to a frame on its way
        if since is None:
            await self.close(code=4400)
            return
        for frame in await newest_after(since):
            await self.send(text_data=json.dumps({"post": frame}))

    async def receive(self, text_data=None, bytes_data=None):
        """Called for a frame from the client: this socket only sends."""
        if not self.closed:
            await self.send(
                text_data=json.dumps({"error": "this socket only sends: frames from the client are not read"})
            )
