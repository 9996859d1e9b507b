"""Bad input never crashes a consumer: a binary frame has no "text" key.

A classic wrong solution to exercise 01.2: event["text"] is read for every frame, so a binary one raises KeyError.
The check says: "1011"
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class ShoutConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: "bye" closes, any other text comes back in capitals."""
        text = event["text"]
        if text == "bye":
            self.send({"type": "websocket.close", "code": 4000})
        elif text is not None:
            self.send({"type": "websocket.send", "text": text.upper()})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
