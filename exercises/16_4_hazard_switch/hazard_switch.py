"""Exercise 16.4 (fix): production still sends your cookie back.

This file is a small server's whole router. ws/echo/ is safe anywhere;
ws/scope/<name>/ is a hazard demo (lesson 01's scope echo): it sends a page
the headers of its own handshake, its session cookie included, so it must
never be served in production. SERVE_HAZARD_DEMOS follows DEBUG, which the
environment sets: DEBUG=1 (or true, yes, on, in any case) on a laptop,
DEBUG=0 (or false, no, off, in any case) in production; a switch that
guards a hazard fails closed, so any other value is off too.

The operator starts production with DEBUG=0, as the deployment guide says,
and any page that opens ws/scope/x/ still gets the visitor's cookie back
(Hedera-Lang-Learn/hedera#212 met the same switch: "When you pass in 'False'
into the 'DJANGO_DEBUG' env var, it is parsed as a True-ey string"). Fix the
switch.

Rules (the check proves each one, and nothing else):

1. DEBUG is on for 1, true, yes or on, in any case, and off for any other
   value: 0, false, no, off, an empty one, a typo, "none", "10", "y", "t".
   A value it cannot read may also stop the server from starting.
2. With DEBUG on, ws/scope/<name>/ is served: it sends the page
   {"name": <name>, "headers": {...}}, the cookie included. With DEBUG off it
   is refused (HTTP 403), like any path no route claims.
3. ws/echo/ is served on and off, each text frame sent back unchanged; with
   DEBUG unset the server starts and serves it.
4. Any path no route claims is refused, on and off, and so is a path with
   more before or after a route's.
5. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 16.4

The check is exercises/16_4_hazard_switch/check.py; once you have tried,
`python manage.py exercise 16.4 --solution` shows where the solution is.
"""

import json
import os

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.routing import URLRouter
from django.urls import path, re_path

# TODO: which values of DEBUG turn this on?
DEBUG = bool(os.environ.get("DEBUG", True))
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
