# A match statement on the event dict: a str under "text" is a text frame, bytes under "bytes" a binary one, None matching neither.
"""Alternative 01.1: the event matched by the shape of its payload.

A mapping pattern ignores the keys it does not name, and str()/bytes()
patterns never match None, so an event carrying both keys, one None,
falls into the case of the other.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: sent back under the key it came in."""
        match event:
            case {"text": str(text)}:
                self.send({"type": "websocket.send", "text": text})
            case {"bytes": bytes(data)}:
                self.send({"type": "websocket.send", "bytes": data})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
