"""Exercise 02.1: A raw AsyncConsumer echo, from scratch.

The echo of exercise 01.1, on channels' raw AsyncConsumer: every handler is
`async def` and every `self.send(...)` is awaited (lesson 02).

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
