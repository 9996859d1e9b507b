# The catch-all is a plain ASGI function, not a consumer class: it still answers connect with close (HTTP 403) and waits for the disconnect.
"""Alternative 00.3: the refusing catch-all written as a bare ASGI application, last in the routes.

URLRouter routes to any ASGI application, a consumer being one kind: this
one reads websocket.connect, answers websocket.close (the server turns a
close before accept into HTTP 403), and returns once the disconnect that
follows has come. Last, because the first matching route wins.
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


async def refuse(scope, receive, send):
    """An ASGI application for every path no route claims: refuse the handshake, then wait for the disconnect."""
    while (await receive())["type"] != "websocket.disconnect":
        await send({"type": "websocket.close"})


websocket_urlpatterns = [
    path("ws/fix/echo/", EchoConsumer.as_asgi()),
    re_path(r"", refuse),  # last: only paths no other route claims
]

application = URLRouter(websocket_urlpatterns)
