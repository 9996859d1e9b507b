"""An application's own close codes are 4000-4999: bye closes with 4000, not 1000.

A classic wrong solution to exercise 01.2: bye closes with the normal-closure code 1000.
The check says: "4000"
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
            self.send({"type": "websocket.close", "code": 1000})
        elif text is not None:
            self.send({"type": "websocket.send", "text": text.upper()})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
