# A class attribute as the default (closed = False), set on the instance by the close: each socket's own flag shadows it.
"""Alternative 01.2: a default on the class, the flag set on self.

`self.closed = True` makes an attribute of this instance, which hides the
class's False for this socket only; every other socket still reads False.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class ShoutConsumer(SyncConsumer):
    closed = False  # until this socket's own close sets self.closed

    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: "bye" closes, any other text comes back in capitals."""
        text = event.get("text")
        if text is None or self.closed:
            return
        if text != "bye":
            self.send({"type": "websocket.send", "text": text.upper()})
            return
        self.closed = True
        self.send({"type": "websocket.close", "code": 4000})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
