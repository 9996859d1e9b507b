# The catch-all is a raw SyncConsumer behind re_path(r"^"), a pattern anchored at the start and matching every path.
"""Alternative 00.3: a raw SyncConsumer refuses, routed by re_path(r"^"), last in the routes.

r"^" matches at the start of every path, the empty one and one holding a
line break too, as r"" does (a route need not match the whole path).
websocket.close sent before any accept is a refused handshake (HTTP 403);
the disconnect that follows ends the consumer.
"""

from channels.consumer import AsyncConsumer, SyncConsumer
from channels.exceptions import StopConsumer
from channels.routing import URLRouter
from django.urls import path, re_path


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


class RefuseConsumer(SyncConsumer):
    """The catch-all: refuses every handshake it is given."""

    def websocket_connect(self, event):
        self.send({"type": "websocket.close"})

    def websocket_disconnect(self, event):
        raise StopConsumer()


websocket_urlpatterns = [
    path("ws/fix/echo/", EchoConsumer.as_asgi()),
    re_path(r"^", RefuseConsumer.as_asgi()),  # last: only paths no other route claims
]

application = URLRouter(websocket_urlpatterns)
