"""Solution 01.3: route the consumer's ASGI application, `EchoConsumer.as_asgi()`.

Why: a router calls what it routes as an ASGI application, `app(scope,
receive, send)`, once per connection. A consumer class is not one: calling
it tries to build an instance from three arguments (TypeError).
`as_asgi()` returns the application that makes one consumer instance per
connection, as Django's `as_view()` makes one view per request.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer
from django.urls import path


class EchoConsumer(SyncConsumer):
    def websocket_connect(self, event):
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        if event.get("text") is not None:
            self.send({"type": "websocket.send", "text": event["text"]})
        else:
            self.send({"type": "websocket.send", "bytes": event["bytes"]})

    def websocket_disconnect(self, event):
        raise StopConsumer()


websocket_urlpatterns = [
    path("ws/fix/echo/", EchoConsumer.as_asgi()),
]
