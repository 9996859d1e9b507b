"""Solution 07.1: refuse anonymous users with 4401.

Why this way: accept first, then close with 4401, so a page learns *why*
(a refused handshake is a bare 1006). `is_authenticated`, never `user is
None`: an anonymous visitor is an AnonymousUser (lesson 07). Frames the
client sent before it saw the close still arrive, until
websocket.disconnect: `self.closed` keeps them unanswered.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer


class MembersOnlyConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        self.closed = False
        await self.send({"type": "websocket.accept"})
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.send({"type": "websocket.close", "code": 4401})
            self.closed = True
            return
        await self.send({"type": "websocket.send", "text": json.dumps({"hello": user.get_username()})})

    async def websocket_receive(self, event):
        """Called for a frame from the client: this socket only sends, and any client may still send one."""
        if self.closed:
            return  # sent before the client saw our close: nothing may follow a close
        error = {"error": "this socket only sends: frames from the client are not read"}
        await self.send({"type": "websocket.send", "text": json.dumps(error)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
