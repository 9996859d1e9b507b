"""Alternative 12.1, a regex for since and the async ORM: re.fullmatch on the one value, then `async for` over the queryset.

Still right: getlist-style collection of every since (blank ones too) refuses one given twice; the
pattern [0-9]+ takes ASCII digits only (no sign, point, exponent, space or "²"), and int() still
refuses thousands of digits; Django's async iteration runs the query off the event loop: the newest 100,
turned round to come oldest first.
"""

import json
import re
from urllib.parse import parse_qsl

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from db_demo.models import Post

DIGITS = re.compile(r"[0-9]+")


def parse_since(query_string: bytes) -> int | None:
    """The one since of the query string, or None."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    values = [value for key, value in pairs if key == "since"]
    if len(values) != 1 or DIGITS.fullmatch(values[0]) is None:
        return None
    try:
        return int(values[0])
    except ValueError:  # more digits than int() reads: no id anyone saw
        return None


class ReplaySinceConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/12-1/?since=<id>."""
        await self.send({"type": "websocket.accept"})
        since = parse_since(self.scope["query_string"])
        self.closed = since is None  # nothing follows the close, not even an answer to a frame on its way
        if since is None:
            await self.send({"type": "websocket.close", "code": 4400})
            return
        newest = [post async for post in Post.objects.filter(id__gt=since).order_by("-id")[:100]]
        for post in reversed(newest):
            await self.send({"type": "websocket.send", "text": json.dumps({"post": post.as_frame()})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        if self.closed:
            return
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
