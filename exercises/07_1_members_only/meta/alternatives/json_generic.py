# JsonWebsocketConsumer (sync, generic): send_json() for the greeting and the error, receive() overridden so a binary frame is answered too.
"""Alternative 07.1: the door as a JsonWebsocketConsumer.

send_json() writes the JSON for us. Its receive() would raise ValueError
on a binary frame (it only reads text), so this socket, which reads no
frame at all, overrides receive() itself.
"""

from channels.generic.websocket import JsonWebsocketConsumer

NOT_READ = {"error": "this socket only sends: frames from the client are not read"}


class MembersOnlyConsumer(JsonWebsocketConsumer):
    def connect(self):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        self.accept()
        self.member = self.scope["user"].is_authenticated
        if self.member:
            self.send_json({"hello": self.scope["user"].get_username()})
        else:
            self.close(code=4401)

    def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called for any frame, text or binary: none is read, and a refused socket answers none."""
        if self.member:
            self.send_json(NOT_READ)
