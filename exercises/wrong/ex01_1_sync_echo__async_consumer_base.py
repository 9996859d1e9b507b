"""A SyncConsumer is asked for: the base class decides how handlers run.

A classic wrong solution to exercise 01.1: subclasses AsyncConsumer instead.
The check says: "SyncConsumer"
"""

from channels.consumer import AsyncConsumer as SyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: a text frame has "text", a binary one "bytes"."""
        if event.get("text") is not None:
            self.send({"type": "websocket.send", "text": event["text"]})
        else:
            self.send({"type": "websocket.send", "bytes": event["bytes"]})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
