# The route written with re_path and an anchored pattern instead of path(): it still routes EchoConsumer.as_asgi(), one instance per socket.
"""Alternative 01.3: re_path(r"^ws/fix/echo/$", EchoConsumer.as_asgi()).

What the router needs is an ASGI application, which as_asgi() returns;
how the path is written (path() or an anchored regex) does not change it.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer
from django.urls import re_path


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
    re_path(r"^ws/fix/echo/$", EchoConsumer.as_asgi()),
]
