"""Wrong: a refused path must get an answer to its handshake (websocket.close); a catch-all that never answers leaves it hanging.

The client waits until the server's handshake timeout, and the consumer
lingers meanwhile: no 500, but no 403 either.

The check says: "/ws/fix/ecoh/: the handshake got no answer within 1 s. End the"
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


class IgnoreConsumer(AsyncConsumer):
    async def websocket_disconnect(self, event):
        raise StopConsumer()

    async def websocket_connect(self, event):
        pass  # not our path: say nothing


websocket_urlpatterns = [
    path("ws/fix/echo/", EchoConsumer.as_asgi()),
    re_path(r"", IgnoreConsumer.as_asgi()),
]

application = URLRouter(websocket_urlpatterns)
