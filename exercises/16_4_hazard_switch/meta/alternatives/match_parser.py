"""Alternative 16.4, a named parser with a match statement: switched_on() reads the environment's string the way a person says on.

Still right: the value is stripped and lowered before it is compared whole with each word for on, so
"0", "False", " off ", "maybe" and "" are all off, and only 1, true, yes or on (in any case) serve
the hazard demo; unset, the server starts as a laptop's does. The events, per route:

    ws/echo/              websocket.connect -> accept; websocket.receive -> the same text back
    ws/scope/<name>/      (hazard, only while SERVE_HAZARD_DEMOS) websocket.connect -> accept;
                          websocket.send {"name": ..., "headers": {...}}: the cookie too
    anything else         websocket.connect -> websocket.close (HTTP 403)
"""

import json
import os

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.routing import URLRouter
from django.urls import path, re_path


def switched_on(value: str) -> bool:
    """True only for the words that mean on; every other value, misspelt ones too, is off (fails closed)."""
    match value.strip().lower():
        case "1" | "true" | "yes" | "on":
            return True
        case _:
            return False


DEBUG = switched_on(os.environ.get("DEBUG", "1"))  # unset: a laptop
SERVE_HAZARD_DEMOS = DEBUG


class EchoConsumer(AsyncConsumer):
    """ws/echo/: each text frame back, unchanged."""

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame."""
        await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()


class ScopeEchoConsumer(EchoConsumer):
    """ws/scope/<name>/, a hazard demo: tells the page what its handshake carried, cookies included."""

    async def websocket_connect(self, event):
        """Called when a client opens the socket: accepts it and sends the handshake's headers back."""
        await self.send({"type": "websocket.accept"})
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in self.scope["headers"]}
        name = self.scope["url_route"]["kwargs"]["name"]
        await self.send({"type": "websocket.send", "text": json.dumps({"name": name, "headers": headers})})


class UnknownPathConsumer(AsyncConsumer):
    """The catch-all: refuses a socket on any path no route claims (HTTP 403)."""

    async def websocket_connect(self, event):
        """Called when a client asks to open a socket on a path nothing routes."""
        await self.send({"type": "websocket.close"})

    async def websocket_disconnect(self, event):
        """Called once the refused handshake is over."""
        raise StopConsumer()


safe_urlpatterns = [path("ws/echo/", EchoConsumer.as_asgi())]
hazard_urlpatterns = [path("ws/scope/<str:name>/", ScopeEchoConsumer.as_asgi())]
application = URLRouter(
    [
        *safe_urlpatterns,
        *(hazard_urlpatterns if SERVE_HAZARD_DEMOS else []),
        re_path(r"", UnknownPathConsumer.as_asgi()),
    ]
)
