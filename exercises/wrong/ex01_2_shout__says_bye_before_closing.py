"""On bye the consumer closes at once: no frame before the close.

A classic wrong solution to exercise 01.2: bye is shouted back, then the socket closed.
The check says: "no frame first"
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class ShoutConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: "bye" closes, any other text comes back in capitals."""
        text = event.get("text")
        if text == "bye":
            self.send({"type": "websocket.send", "text": "BYE"})
            self.send({"type": "websocket.close", "code": 4000})
        elif text is not None:
            self.send({"type": "websocket.send", "text": text.upper()})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
