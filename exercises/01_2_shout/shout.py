"""Exercise 01.2: Shout back, and close with 4000 on bye.

ShoutConsumer (a raw SyncConsumer) sends every text frame back in capitals;
the text "bye", exactly that (not "goodbye", not "BYE"), closes the socket
with code 4000 instead, and nothing is sent after the close. A binary frame
has no text to shout: it gets no answer, and the socket stays open.

Edit this file, then check it:

    python manage.py exercise 01.2

The check is exercises/01_2_shout/check.py; once you have tried,
`python manage.py exercise 01.2 --solution` shows where the solution is.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class ShoutConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame."""
        # TODO: "bye" closes with code 4000; any other text comes back upper-cased
        self.send({"type": "websocket.send", "text": event.get("text") or ""})

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
