"""Wrong: .as_asgi() belongs on the consumer class, inside path(), not on the route.

The classic misplaced parenthesis: `path(...).as_asgi()` fails at import
with AttributeError ('URLPattern' object has no attribute 'as_asgi').

The check says: "A route takes an ASGI application: EchoConsumer.as_asgi(), one"
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
    path("ws/fix/echo/", EchoConsumer).as_asgi(),
]
