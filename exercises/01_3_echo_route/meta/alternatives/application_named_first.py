# The ASGI application made once, at import, under a name of its own; the route holds that name.
"""Alternative 01.3: echo_application = EchoConsumer.as_asgi(), then routed.

as_asgi() is called once; what it returns is a function that builds a new
EchoConsumer for each connection, so one name serves every socket.
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


echo_application = EchoConsumer.as_asgi()

websocket_urlpatterns = [
    path("ws/fix/echo/", echo_application),
]
