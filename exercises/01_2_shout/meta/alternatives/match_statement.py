# A match statement instead of if/elif: "bye" closes with 4000, any other str comes back upper-cased, a binary frame is ignored.
"""Alternative 01.2: the frame's text matched against its cases.

`case str(text)` matches a text frame only, so a binary frame (text None)
falls through every case and is ignored, as in the solution. Once closed,
the guard before the match answers nothing more.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class ShoutConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.closed = False
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: "bye" closes, any other text comes back in capitals."""
        if self.closed:
            return
        match event.get("text"):
            case "bye":
                self.send({"type": "websocket.close", "code": 4000})
                self.closed = True
            case str(text):
                self.send({"type": "websocket.send", "text": text.upper()})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
