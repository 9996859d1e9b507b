"""Wrong: the catch-all goes last; the first matching route wins, so a catch-all first refuses every path.

re_path(r"") matches ws/fix/echo/ too: the echo is never reached.

The check says: "ws/fix/echo/ was refused: the catch-all must come after every"
"""

from channels.consumer import AsyncConsumer
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


class RefuseConsumer(AsyncConsumer):
    """The catch-all: closes before accepting, which the server turns into HTTP 403."""

    async def websocket_connect(self, event):
        await self.send({"type": "websocket.close"})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


websocket_urlpatterns = [
    re_path(r"", RefuseConsumer.as_asgi()),
    path("ws/fix/echo/", EchoConsumer.as_asgi()),
]

application = URLRouter(websocket_urlpatterns)
