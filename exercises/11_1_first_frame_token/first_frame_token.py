"""Exercise 11.1: Accept a token only in the first frame, within a deadline.

FirstFrameTokenConsumer accepts; the first frame must be {"token": t} where
auth_demo.tokens.user_id_from_token(t) is not None: answer {"user_id": id}.
Any other first frame, or no frame within DEADLINE seconds, closes with 4401.

Edit this file, then check it:

    python manage.py exercise 11.1

The check is exercises/11_1_first_frame_token/check.py; once you have tried,
`python manage.py exercise 11.1 --solution` shows where the solution is.
"""

import json  # noqa: F401  (you will need them)

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from auth_demo.tokens import user_id_from_token  # noqa: F401


class FirstFrameTokenConsumer(AsyncConsumer):
    DEADLINE = 10.0  # seconds

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})
        # TODO: start a deadline task that closes with 4401

    async def websocket_receive(self, event):
        """Called for every frame."""
        # TODO: check the first frame's token; cancel the deadline

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
