# WebsocketConsumer (sync, generic): accept(), then close(code=4401) for an anonymous user, send() for a member.
"""Alternative 07.1: the same door as a synchronous WebsocketConsumer.

Its handlers run in the sync thread, so the user is read without await;
accept() and close() send the same events the raw consumer sends by hand.
"""

import json

from channels.generic.websocket import WebsocketConsumer


class MembersOnlyConsumer(WebsocketConsumer):
    def connect(self):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        self.accept()
        user = self.scope["user"]
        self.closing = not user.is_authenticated
        if self.closing:
            self.close(code=4401)
            return
        self.send(text_data=json.dumps({"hello": user.get_username()}))

    def receive(self, text_data=None, bytes_data=None):
        """Called for a frame from the client: this socket only sends."""
        if self.closing:
            return
        self.send(text_data=json.dumps({"error": "this socket only sends: frames from the client are not read"}))
