"""Exercise 11.1: Accept a token only in the first frame, within a deadline.

FirstFrameTokenConsumer accepts; the first frame must be {"token": t} where
auth_demo.tokens.user_id_from_token(t) is not None: answer {"user_id": id}.
Any other first frame, or no frame within DEADLINE seconds, closes with 4401.
After a login a later frame asks "who am I?", as lesson 11's consumer answers.

Rules (the check proves each one, and nothing else):

1. A first frame {"token": t} whose token user_id_from_token(t) accepts gets
   {"user_id": <id>}, and that socket stays open: its own deadline is
   cancelled, and only its own (two sockets may log in at once).
2. Any other first frame (not JSON, not an object, no "token" key, a forged
   or expired token, a binary frame) closes the socket with 4401: the same
   close, code and reason, for every failure, and never a crash.
3. Only the first frame may carry the token: after a login every later
   frame, whatever it holds, gets {"user_id": <the same id>} again (never
   another user's id, never a close); after a 4401 nothing more is sent.
4. No frame within DEADLINE seconds closes the socket with 4401, not before;
   DEADLINE stays 10 in the file (the check shortens it on the class).
5. No token, nor its start, nor a refused frame as it came, is written to a
   log (a record's extra fields too) or to the output: 8 characters of a
   token in a row are already too many.
6. The deadline ends with the socket: on websocket.disconnect, which ends
   the consumer, and when the server cancels the consumer (no disconnect
   comes then), whose cancellation goes on.
7. A bad first frame is answered on its own socket only: no other socket
   hears of it.
8. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
