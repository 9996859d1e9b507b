"""Solution 00.3: a catch-all route, last, to a consumer that refuses the handshake.

Why: URLRouter raises ValueError for a path no route matches, and the server
answers that handshake with HTTP 500 and logs a traceback. A last route
matching every path (re_path(r"")) sends it to a consumer that answers
websocket.connect with websocket.close: the handshake is refused (HTTP 403)
and nothing crashes. Last, because the first matching route wins: first, it
would refuse ws/fix/echo/ too. lessons/routing.py and lessons/consumers.py
do the same for the course.
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
    path("ws/fix/echo/", EchoConsumer.as_asgi()),
    re_path(r"", RefuseConsumer.as_asgi()),  # last: only paths no other route claims
]

application = URLRouter(websocket_urlpatterns)
