# WebsocketConsumer (sync, generic): accept(), then close(code=...) for those who may not enter, send() for staff.
"""Alternative 07.2: the staff door as a synchronous WebsocketConsumer."""

import json

from channels.generic.websocket import WebsocketConsumer


class StaffOnlyConsumer(WebsocketConsumer):
    def connect(self):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        self.accept()
        user = self.scope["user"]
        self.closed = True  # until it is let in: a frame sent before the client saw a close is not answered
        if not user.is_authenticated:
            self.close(code=4401)
        elif not (user.is_active and user.is_staff):  # as Django's admin asks: has_permission()
            self.close(code=4403)
        else:
            self.closed = False
            self.send(text_data=json.dumps({"staff": user.get_username()}))

    def receive(self, text_data=None, bytes_data=None):
        """Called for a frame from the client: this socket only sends."""
        if self.closed:
            return
        self.send(text_data=json.dumps({"error": "this socket only sends: frames from the client are not read"}))
