# The reply built by a dict comprehension over "text" and "bytes": it keeps whichever is not None, so a frame comes back as it came.
"""Alternative 01.1: one send, its payload the key of the frame that is set.

A websocket.receive event carries "text" or "bytes", the other None (or
absent): keeping the keys whose value is not None sends the frame back
as it came, text as text and bytes as bytes.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: the one payload it carries goes back unchanged."""
        payload = {key: event[key] for key in ("text", "bytes") if event.get(key) is not None}
        self.send({"type": "websocket.send", **payload})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
