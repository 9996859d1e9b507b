# A nested URLRouter: path("ws/fix/", URLRouter([...])) hands the rest of the path to an inner route of EchoConsumer.as_asgi().
"""Alternative 01.3: the echo's route inside a URLRouter of its own.

A URLRouter is an ASGI application too, so a route may hold one; the inner
route still holds EchoConsumer.as_asgi(), one instance per socket.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer
from channels.routing import URLRouter
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
    path("ws/fix/", URLRouter([path("echo/", EchoConsumer.as_asgi())])),
]
