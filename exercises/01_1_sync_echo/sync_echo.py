"""Exercise 01.1: A raw SyncConsumer echo, from scratch.

Write EchoConsumer on channels' raw SyncConsumer, with literal event dicts
only (lesson 01).

Rules (the check proves each one, and nothing else):

1. EchoConsumer is a raw SyncConsumer, not a generic one: its three
   websocket_* handlers send literal event dicts.
2. It accepts every socket.
3. Every text frame comes back as text, unchanged and in order (spaces,
   line breaks and an empty text too).
4. Every binary frame comes back as the same bytes (an empty one too).
5. An event holding both keys, the unused one None, is echoed by the key
   whose value is not None; no frame of any kind crashes the consumer.
6. Each socket hears its own echo and nothing of another socket's.
7. The consumer ends on websocket.disconnect, whatever the code.
8. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
