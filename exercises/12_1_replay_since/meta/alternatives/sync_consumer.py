"""Alternative 12.1, a sync WebsocketConsumer: the ORM called straight from the handler, on Django's one sync thread.

Still right: a sync consumer's handlers run in database_sync_to_async's thread (lesson 01), so the
queryset is evaluated off the event loop without a wrapper; since must match [0-9]{1,18} whole (ASCII
digits only, one value: a since longer than any id this database can hold is closed with 4400, which
the task allows), and the newest 100 come oldest first. websocket.disconnect ends it (the generic
consumer raises StopConsumer).
"""

import json
import re
from urllib.parse import parse_qsl

from channels.generic.websocket import WebsocketConsumer

from db_demo.models import Post

SINCE = re.compile(r"[0-9]{1,18}")  # fullmatch: no sign, point, space, newline, "²"


class ReplaySinceConsumer(WebsocketConsumer):
    def connect(self):
        """Called on websocket.connect: accept, then the replay or a 4400."""
        self.accept()
        pairs = parse_qsl(self.scope["query_string"].decode("latin-1"), keep_blank_values=True)
        values = [value for key, value in pairs if key == "since"]
        self.closed = len(values) != 1 or not SINCE.fullmatch(values[0])
        if self.closed:  # nothing follows the close, not even an answer to a frame on its way
            self.close(code=4400)
            return
        newest = Post.objects.filter(id__gt=int(values[0])).order_by("-id")[:100]
        for post in reversed(list(newest)):
            self.send(text_data=json.dumps({"post": post.as_frame()}))

    def receive(self, text_data=None, bytes_data=None):
        """Called for a frame from the client: this socket only sends."""
        if not self.closed:
            self.send(text_data=json.dumps({"error": "this socket only sends: frames from the client are not read"}))
