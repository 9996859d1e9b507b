"""One sync thread per process: a slow SyncConsumer handler holds up async consumers too (lessons 01, 02).

Events, in the order they happen on one connection:

    websocket.connect     the client asks to open     -> send websocket.accept
    websocket.receive     a text frame "S" (seconds)  -> time.sleep(S), then send {"slept": S}
                          anything else               -> send {"error": "..."}
    websocket.disconnect  the socket is closed        -> raise StopConsumer()

The sync twin of async_demo/slow.py. Every SyncConsumer handler runs on the
process's one shared sync thread, and so does the hop AsyncConsumer.dispatch
makes before each async handler: while this one sleeps, an async echo on
another socket waits too (django/channels#2132). Lesson: lessons/01-sync-consumer.md
"""

import json
import math
import time

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer

MAX_SLEEP = 3.0  # a demo: long enough to feel, short enough not to hang a workshop's server


class SlowConsumer(SyncConsumer):
    """ws/sync/slow/: a text frame "S" blocks the sync thread S seconds (0-3), then replies {"slept": S}."""

    channel_layer_alias = None  # no channel layer needed

    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame, on the process's one sync thread."""
        text = event.get("text")
        try:
            seconds = float(text) if text is not None else math.nan
        except ValueError:
            seconds = math.nan
        if not 0 <= seconds <= MAX_SLEEP:
            got = "a binary frame" if text is None else repr(text[:40])
            error = f"expected a text frame holding seconds from 0 to {MAX_SLEEP:g}, got {got}"
            self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
            return
        time.sleep(seconds)  # stands in for a slow query, a password hash, a blocking HTTP call
        self.send({"type": "websocket.send", "text": json.dumps({"slept": seconds})})

    def websocket_disconnect(self, event):
        """Called once the socket is closed."""
        raise StopConsumer()
