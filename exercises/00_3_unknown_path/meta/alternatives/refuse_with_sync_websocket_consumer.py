# The catch-all is a sync generic WebsocketConsumer: close() in connect(), before any accept, refuses the handshake.
"""Alternative 00.3: the refusing catch-all on the generic WebsocketConsumer (sync), last in the routes.

WebsocketConsumer.close() sends websocket.close; called from connect(),
before accept(), the server turns it into HTTP 403. The generic consumer
handles the websocket.disconnect that follows on its own and ends.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.generic.websocket import WebsocketConsumer
from channels.routing import URLRouter
from django.urls import path, re_path


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


class RefuseConsumer(WebsocketConsumer):
    """The catch-all: refuses every handshake it is given."""

    def connect(self):
        self.close()  # before accept: a refused handshake (HTTP 403)


websocket_urlpatterns = [
    path("ws/fix/echo/", EchoConsumer.as_asgi()),
    re_path(r"", RefuseConsumer.as_asgi()),  # last: only paths no other route claims
]

application = URLRouter(websocket_urlpatterns)
