"""Exercise 01.1: A raw SyncConsumer echo, from scratch.

Write EchoConsumer on channels' raw SyncConsumer: accept every socket,
send every text frame back as text and every binary frame back as bytes, and
end the consumer when the socket closes. Literal event dicts only (lesson 01).

Edit this file, then check it:

    python manage.py exercise 01.1

The check is exercises/01_1_sync_echo/check.py; once you have tried,
`python manage.py exercise 01.1 --solution` shows where the solution is.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer  # noqa: F401  (you will need it)


class EchoConsumer(SyncConsumer):
    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        # TODO: accept the socket

    def websocket_receive(self, event):
        """Called for every frame: a text frame has "text", a binary one "bytes"."""
        # TODO: send the frame back, text as text and bytes as bytes

    def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        # TODO: end this consumer
