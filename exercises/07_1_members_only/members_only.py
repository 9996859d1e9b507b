"""Exercise 07.1: Refuse anonymous users with 4401.

MembersOnlyConsumer accepts, then closes an anonymous user with 4401
before any data frame; a logged-in user receives {"hello": <username>}.

Rules (the check proves each one, and nothing else):

1. An anonymous user is accepted, then closed with 4401 before any data
   frame; nothing is sent after the close, not even an answer to a frame
   the client sent before it saw the close (those still arrive, until
   websocket.disconnect). Refusing the handshake is the other honest way,
   lesson 07 shows both; this exercise asks for 4401, because a page
   cannot tell a refused handshake, a bare 1006, from a server that is
   down.
2. A logged-in user receives {"hello": <username>} (get_username(), not a
   first or full name) and stays open; two users at once each get their
   own name, beside an anonymous socket still closed with 4401.
3. A binary frame gets {"error": ...} on its own socket; no frame crashes
   the consumer or reaches another socket.
4. The consumer ends when its client leaves (websocket.disconnect), never
   holds the event loop, and nothing in this file sets
   DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 07.1

The check is exercises/07_1_members_only/check.py; once you have tried,
`python manage.py exercise 07.1 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class MembersOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        await self.send({"type": "websocket.accept"})
        # TODO: anonymous users: close with 4401 instead
        user = self.scope["user"]
        await self.send({"type": "websocket.send", "text": json.dumps({"hello": user.get_username()})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
