"""Alternative 16.4, a dict from each word to its meaning: a word it does not hold is None, and None is off.

Still right: only the four words that mean on (any case, spaces around them dropped) give True; the words
that mean off give False, and every other value is looked up to None, which is off too: the switch fails
closed. DEBUG unset reads as "1", a laptop.
"""

import json
import os

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.routing import URLRouter
from django.urls import path, re_path

MEANINGS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
DEBUG = MEANINGS.get(os.environ.get("DEBUG", "1").strip().casefold()) is True  # an unknown word: None, off
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
