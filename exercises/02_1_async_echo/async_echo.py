"""Exercise 02.1: A raw AsyncConsumer echo, from scratch.

The echo of exercise 01.1, on channels' raw AsyncConsumer: every handler is
`async def` and every `self.send(...)` is awaited (lesson 02).

Rules (the check proves each one, and nothing else):

1. EchoConsumer is a raw AsyncConsumer, not a generic one: its three async
   websocket_* handlers send literal event dicts.
2. It accepts every socket; text and binary frames come back unchanged and
   in order, text as text and bytes as bytes.
3. A frame's kind is the key whose value is not None: an empty text or
   binary frame is still one, and comes back empty; an event holding both
   keys (the unused one None) is echoed by the other; no frame of any kind
   crashes the consumer.
4. Two sockets at once each get their own echoes, and only their own.
5. The consumer ends on websocket.disconnect, whatever the code, and leaves
   no task of its own running.
6. Each echo is awaited in websocket_receive (sent before it returns), and
   nothing holds the event loop (no blocking call, no time.sleep).
7. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 02.1

The check is exercises/02_1_async_echo/check.py; once you have tried,
`python manage.py exercise 02.1 --solution` shows where the solution is.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer  # noqa: F401  (you will need it)


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        # TODO: accept the socket

    async def websocket_receive(self, event):
        """Called for every frame, text or binary."""
        # TODO: send the frame back unchanged

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        # TODO: end this consumer
