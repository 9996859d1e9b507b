"""Alternative 16.4, a full-match regex for the words of on, ignoring case: anything it does not match is off.

Still right: re.fullmatch anchors both ends, so "none" and "10" (which hold "on" and "1") are no match;
IGNORECASE takes every case of the four words; an unset DEBUG reads as "1", a laptop; the hazard's
route is only ever added to the router while the switch is on.
"""

import json
import os
import re

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.routing import URLRouter
from django.urls import path, re_path

DEBUG = re.fullmatch(r"\s*(1|true|yes|on)\s*", os.environ.get("DEBUG", "1"), re.IGNORECASE) is not None
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
