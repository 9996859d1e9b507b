# JsonWebsocketConsumer (sync, generic): the refusal code looked up in one function, send_json() for the greeting and the error.
"""Alternative 07.2: the staff door as a JsonWebsocketConsumer.

refusal() says which close code a user gets, or None for staff; its
receive() is overridden because the JSON consumer's own raises ValueError
on a binary frame.
"""

from channels.generic.websocket import JsonWebsocketConsumer


def refusal(user) -> int | None:
    """4401: log in first; 4403: logged in, not allowed; None: active staff."""
    if not user.is_authenticated:
        return 4401
    return None if user.is_active and user.is_staff else 4403


class StaffOnlyConsumer(JsonWebsocketConsumer):
    def connect(self):
        """Called when a client opens the socket; scope["user"] is already resolved."""
        self.accept()
        user = self.scope["user"]
        self.refused = refusal(user)
        if self.refused is not None:
            self.close(code=self.refused)
            return
        self.send_json({"staff": user.get_username()})

    def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Called for any frame, text or binary: none is read, and after a refusal none is answered."""
        if self.refused is None:
            self.send_json({"error": "this socket only sends: frames from the client are not read"})
