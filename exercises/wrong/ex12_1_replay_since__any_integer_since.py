"""since must be a non-negative integer, else close with 4400.

A classic wrong solution to exercise 12.1: int() takes anything it can, -1 included.
The check says: "non-negative integer"
"""

import json
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import Post


@database_sync_to_async
def posts_after(since: int) -> list[dict]:
    return [post.as_frame() for post in Post.objects.filter(id__gt=since).order_by("id")]


def parse_since(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get("since", [])
    try:
        return int(values[0])
    except (IndexError, ValueError):
        return None


class ReplaySinceConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/12-1/?since=<id>."""
        await self.send({"type": "websocket.accept"})
        since = parse_since(self.scope["query_string"])
        if since is None:
            await self.send({"type": "websocket.close", "code": 4400})
            return
        for frame in await posts_after(since):
            await self.send({"type": "websocket.send", "text": json.dumps({"post": frame})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
