"""The raw SyncConsumer: a socket's life as plain ASGI events (lesson 01).

Events, in the order they happen on one connection:

    websocket.connect     the client asks to open      -> we send websocket.accept (or websocket.close: refused)
    websocket.receive     one per frame, text or bytes -> we send websocket.send (or websocket.close)
    websocket.disconnect  the socket is closed         -> we raise StopConsumer, ending this instance

Every route gets a fresh consumer instance per connection (see `as_asgi()` in
routing.py). Lesson: lessons/01-sync-consumer.md
"""

import itertools
import json

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer


class EchoConsumer(SyncConsumer):
    """ws/sync/echo/: every text or binary frame comes back unchanged, in order."""

    # No channel layer: an instance also listens on a layer channel unless told not to, and
    # this one only talks to its own socket (so it keeps working while Redis is down).
    channel_layer_alias = None

    def websocket_connect(self, event):
        """Called when a client asks to open the socket: the handshake waits for our answer."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for every frame: a text frame carries "text", a binary frame "bytes"."""
        if event.get("text") is not None:
            self.send({"type": "websocket.send", "text": event["text"]})
        else:
            self.send({"type": "websocket.send", "bytes": event["bytes"]})

    def websocket_disconnect(self, event):
        """Called once the socket is closed, by either side; event["code"] is the close code."""
        # Without this, the instance would keep waiting for events that never come.
        raise StopConsumer()


class RefuseConsumer(SyncConsumer):
    """ws/sync/refuse/: refuses every handshake; the server answers the upgrade with HTTP 403."""

    channel_layer_alias = None  # no channel layer needed (see EchoConsumer)

    def websocket_connect(self, event):
        """Called when a client asks to open the socket: closing before accepting refuses it."""
        self.send({"type": "websocket.close"})

    def websocket_disconnect(self, event):
        """Called after the refusal, once the server has dropped the connection."""
        raise StopConsumer()


GOODBYE = "closed by the server: you sent a frame"


class CloseConsumer(SyncConsumer):
    """ws/sync/close/: accepts, then closes from the server side with code 4000 on the first frame."""

    channel_layer_alias = None  # no channel layer needed (see EchoConsumer)

    def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        """Called for the client's frame, text or binary: either one makes the server close."""
        # Daphne 4.2 does not pass a close "reason" on to the client, so say it in a frame first.
        self.send({"type": "websocket.send", "text": GOODBYE})
        # 4000-4999 are free for applications; 1000-2999 belong to the WebSocket standard.
        self.send({"type": "websocket.close", "code": 4000, "reason": GOODBYE})

    def websocket_disconnect(self, event):
        """Called once the client has answered our close frame (or left on its own)."""
        raise StopConsumer()


class ScopeConsumer(SyncConsumer):
    """ws/sync/scope/<name>/: sends what this connection's scope holds, again for every frame."""

    channel_layer_alias = None  # no channel layer needed (see EchoConsumer)

    # A class attribute is shared by all instances: it counts connections in this process.
    connections = itertools.count(1)

    def __init__(self):
        """Called once per connection, before any event: as_asgi() builds a fresh instance per socket."""
        self.instance = next(ScopeConsumer.connections)

    def websocket_connect(self, event):
        """Called when a client asks to open the socket; self.scope is already set."""
        self.send({"type": "websocket.accept"})
        self.send({"type": "websocket.send", "text": json.dumps(self.describe_scope())})

    def websocket_receive(self, event):
        """Called for every frame, text or binary: the same instance answers with the same scope."""
        self.send({"type": "websocket.send", "text": json.dumps(self.describe_scope())})

    def websocket_disconnect(self, event):
        """Called once the socket is closed."""
        raise StopConsumer()

    def describe_scope(self) -> dict:
        """The parts of the scope a consumer reads most, as JSON-ready values."""
        scope = self.scope
        # ASGI gives the query string and headers as bytes; latin-1 decodes any byte, so nothing can crash here.
        return {
            "instance": self.instance,
            "type": scope["type"],
            "path": scope["path"],
            "query_string": scope["query_string"].decode("latin-1"),
            "headers": [[name.decode("latin-1"), value.decode("latin-1")] for name, value in scope["headers"]],
            "url_route": {"args": list(scope["url_route"]["args"]), "kwargs": scope["url_route"]["kwargs"]},
            "keys": sorted(scope),
        }
