"""A test-only ASGI application: the course's own application plus routes that misbehave on purpose.

tests/test_reliability.py serves it with a real Daphne to show containment: a
consumer that raises closes only its own socket (Daphne sends 1011, "internal
error", and logs one traceback) while every other socket carries on.
tests/test_10/test_http_consumers_slow.py shows what becomes of a stream looped
inside AsyncHttpConsumer.handle() once its client has left. The apps never get
routes like these.

    daphne tests.helpers.crash_asgi:application
"""

import asyncio

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from lessons.asgi import application as course_application

CRASH_PATH = "ws/test/crash/"
CRASH_MESSAGE = "crashed on purpose by tests/helpers/crash_asgi.py"


class CrashConsumer(AsyncConsumer):
    """ws/test/crash/: accepts, then raises on the first frame it receives."""

    channel_layer_alias = None  # it needs no channel layer

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for a frame: the bug this module exists for."""
        raise RuntimeError(CRASH_MESSAGE)

    async def websocket_disconnect(self, event):
        """Called if the client leaves before sending anything."""
        raise StopConsumer()


STREAM_IN_HANDLE_PATH = "http/test/stream-in-handle/"


class StreamInHandleConsumer(AsyncHttpConsumer):
    """http/test/stream-in-handle/: the stream many examples show, looped inside handle()."""

    channel_layer_alias = None

    async def handle(self, body):
        """Called once; never returns, so http.disconnect is never read (django/channels#1249)."""
        await self.send_headers(headers=[(b"content-type", b"text/event-stream")])
        while True:
            await self.send_body(b"data: tick\n\n", more_body=True)
            await asyncio.sleep(0.1)


crash_application = AllowedHostsOriginValidator(URLRouter([path(CRASH_PATH, CrashConsumer.as_asgi())]))


async def application(scope, receive, send):
    """The misbehaving routes, or else exactly what `daphne lessons.asgi:application` would do."""
    if scope["type"] == "websocket" and scope["path"] == f"/{CRASH_PATH}":
        return await crash_application(scope, receive, send)
    if scope["type"] == "http" and scope["path"] == f"/{STREAM_IN_HANDLE_PATH}":
        return await StreamInHandleConsumer.as_asgi()(scope, receive, send)
    return await course_application(scope, receive, send)
