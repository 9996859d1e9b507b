"""Solution 01.1: a raw SyncConsumer echo.

Why this way: three handlers, one per event, each sending a literal event
dict, exactly as sync_demo/consumers.py does. `StopConsumer()` on disconnect
is what ends the instance; without it the server waits for a consumer that
never finishes (lesson 01).
"""

from channels.consumer import SyncConsumer
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
