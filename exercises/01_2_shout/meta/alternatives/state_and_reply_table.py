# The socket's state as a string ("open", then "closing"), and the reply to a text picked by a small helper that returns the event dict.
"""Alternative 01.2: one helper decides the event, the handler sends it.

reply_to() returns the event dict a text gets, so websocket_receive only
sends it and remembers when it was a close.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


def reply_to(text):
    """The event the text frame `text` gets: a close for exactly "bye", else the text in capitals."""
    if text == "bye":
        return {"type": "websocket.close", "code": 4000}
    return {"type": "websocket.send", "text": text.upper()}


class ShoutConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.state = "open"
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: only a text frame on an open socket gets an answer."""
        if self.state != "open" or event.get("text") is None:
            return
        answer = reply_to(event["text"])
        if answer["type"] == "websocket.close":
            self.state = "closing"
        self.send(answer)

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        self.state = "closed"
        raise StopConsumer()
