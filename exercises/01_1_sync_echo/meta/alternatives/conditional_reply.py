# dict(type=...) keyword calls and one conditional expression choosing the reply; StopConsumer raised without parentheses.
"""Alternative 01.1: the reply chosen in one expression.

`text is None` decides the kind of frame, so an empty text ("") stays a
text frame and an empty binary one (b"") a binary one.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send(dict(type="websocket.accept"))

    def websocket_receive(self, event):
        """Called for every frame: text goes back as text, bytes as bytes."""
        text = event.get("text")
        reply = (
            dict(type="websocket.send", bytes=event.get("bytes"))
            if text is None
            else dict(type="websocket.send", text=text)
        )
        self.send(reply)

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer
