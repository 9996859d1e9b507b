"""Solution 12.1: replay the posts a reconnecting client missed.

Why this way: the client says the last id it saw; the server sends the
saved posts after it, the newest REPLAY_LIMIT of them (a client away longer
reloads the page), oldest first, read in a thread (lesson 12). A bad
`since` is closed with 4400 after the accept, so the client learns why; so
is a since of thousands of digits, which int() refuses (ValueError).
"""

import json
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from db_demo.models import Post

REPLAY_LIMIT = 100  # lesson 12's liveblog: at most the newest 100


@database_sync_to_async
def posts_after(since: int) -> list[dict]:
    newest_first = Post.objects.filter(id__gt=since).order_by("-id")[:REPLAY_LIMIT]
    return [post.as_frame() for post in reversed(list(newest_first))]


def parse_since(query_string: bytes) -> int | None:
    """The one since in the query string, or None: ASCII digits only ("²" is a digit int() cannot read)."""
    match parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get("since"):
        case [text] if text.isascii() and text.isdigit():
            try:
                return int(text)
            except ValueError:  # over 4300 digits, Python's limit: no id anyone saw, a bad since
                pass
    return None  # missing, empty, given twice (an empty one too), signed, decimal or text


class ReplaySinceConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/12-1/?since=<id>."""
        await self.send({"type": "websocket.accept"})
        since = parse_since(self.scope["query_string"])
        self.closed = since is None  # a frame already on its way then gets no answer: nothing follows a close
        if since is None:
            await self.send({"type": "websocket.close", "code": 4400})
            return
        for frame in await posts_after(since):
            await self.send({"type": "websocket.send", "text": json.dumps({"post": frame})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        if self.closed:
            return
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
