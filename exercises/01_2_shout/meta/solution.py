"""Solution 01.2: shout back, close with 4000 on "bye".

Why this way: a server-side close is just another event the consumer sends,
`websocket.close` with a code in 4000-4999 (the application's own range).
The client may have sent more frames before it saw that close: they still
arrive, until websocket.disconnect, and `self.closed` keeps them unanswered.
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
        text = event.get("text")
        if self.closed:
            return  # sent before the client saw our close: nothing may follow a close
        if text == "bye":
            self.send({"type": "websocket.close", "code": 4000})
            self.closed = True
        elif text is not None:
            self.send({"type": "websocket.send", "text": text.upper()})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
