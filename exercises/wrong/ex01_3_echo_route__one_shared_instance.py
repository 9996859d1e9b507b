"""Wrong: a router takes an ASGI application per connection, not one consumer instance shared by all.

`EchoConsumer()` makes a single instance at import; it is not an ASGI
application either, and every socket would share its state if it were.

The check says: "the first socket got nothing within 1 s for its own frame: the"
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
    path("ws/fix/echo/", EchoConsumer()),
]
