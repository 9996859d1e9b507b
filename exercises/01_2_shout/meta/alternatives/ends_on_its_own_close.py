"""Alternative 01.2, a SyncConsumer that ends on its own close: StopConsumer right after the 4000 close.

Still right: a consumer may end once it has closed the socket; the server still completes the
closing handshake, frames the client sent meanwhile go unread (so nothing answers them), and the
websocket.disconnect that follows finds the consumer already ended, as rule 7 allows.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class ShoutConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: "bye" closes and ends the consumer, other text is shouted back."""
        text = event.get("text")
        if not isinstance(text, str):
            return  # a binary frame: no answer
        if text == "bye":
            self.send({"type": "websocket.close", "code": 4000})
            raise StopConsumer()  # nothing is read, nor sent, after our own close
        self.send({"type": "websocket.send", "text": text.upper()})

    def websocket_disconnect(self, event):
        """Called when the socket has closed, from the client's side."""
        raise StopConsumer()
