# AsyncWebsocketConsumer (async, generic) that also logs the session each socket came with (scope["session"], as AuthMiddlewareStack puts it there).
"""Alternative 07.1: the door as an AsyncWebsocketConsumer, logging who knocked.

AuthMiddlewareStack puts the session beside the user (scope["session"]);
its key says which browser session opened the socket, which a log line
may name. The refusal and the greeting are the raw consumer's.
"""

import json
import logging

from channels.generic.websocket import AsyncWebsocketConsumer

log = logging.getLogger(__name__)


class MembersOnlyConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        await self.accept()
        user, session = self.scope["user"], self.scope["session"]
        log.info("socket opened by %s (session %s)", user.get_username() or "anonymous", session.session_key)
        self.refused = not user.is_authenticated
        if self.refused:
            await self.close(code=4401)
            return
        await self.send(text_data=json.dumps({"hello": user.get_username()}))

    async def receive(self, text_data=None, bytes_data=None):
        """Called for a frame from the client: this socket only sends."""
        if self.refused:
            return  # the client sent it before it saw the 4401: nothing follows a close
        await self.send(text_data=json.dumps({"error": "this socket only sends: frames from the client are not read"}))
