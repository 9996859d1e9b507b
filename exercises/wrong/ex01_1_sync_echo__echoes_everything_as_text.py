"""A binary frame arrives as "bytes" and must go back as "bytes".

A classic wrong solution to exercise 01.1: every frame goes back under the "text" key.
The check says: ""bytes""
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: a text frame has "text", a binary one "bytes"."""
        self.send({"type": "websocket.send", "text": event.get("text") or str(event.get("bytes"))})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
