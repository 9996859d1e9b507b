"""websocket_disconnect must raise StopConsumer, or the consumer never ends.

A classic wrong solution to exercise 01.1: websocket_disconnect just returns.
The check says: "StopConsumer"
"""

from channels.consumer import SyncConsumer


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
        pass  # the socket is closed, nothing to do... or so it seems
