# Another router composition: websocket_urlpatterns keeps the app's routes, the catch-all is added where the router is built.
"""Alternative 00.3: the app's routes untouched; the project's router appends the catch-all last.

As lessons/routing.py does for the course, the app's own list stays its
routes only, and the router that serves them adds one last route for every
other path, to a generic AsyncWebsocketConsumer that closes before it
accepts (HTTP 403).
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.urls import path, re_path


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


class RefuseConsumer(AsyncWebsocketConsumer):
    """The catch-all: refuses every handshake it is given."""

    async def connect(self):
        await self.close()  # before accept: a refused handshake (HTTP 403)


websocket_urlpatterns = [
    path("ws/fix/echo/", EchoConsumer.as_asgi()),
]

# Last, so it only sees paths that no route of the app claimed.
application = URLRouter([*websocket_urlpatterns, re_path(r"", RefuseConsumer.as_asgi())])
