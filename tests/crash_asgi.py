"""A test-only ASGI application: the course's own application plus one route that crashes on purpose.

tests/test_reliability.py serves it with a real Daphne to show containment: a
consumer that raises closes only its own socket (Daphne sends 1011, "internal
error", and logs one traceback) while every other socket carries on. The
apps never get a route like this one.

    daphne tests.crash_asgi:application
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from lessons.asgi import application as course_application

CRASH_PATH = "ws/test/crash/"
CRASH_MESSAGE = "crashed on purpose by tests/crash_asgi.py"


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


crash_application = AllowedHostsOriginValidator(URLRouter([path(CRASH_PATH, CrashConsumer.as_asgi())]))


async def application(scope, receive, send):
    """The crash route, or else exactly what `daphne lessons.asgi:application` would do."""
    if scope["type"] == "websocket" and scope["path"] == f"/{CRASH_PATH}":
        return await crash_application(scope, receive, send)
    return await course_application(scope, receive, send)
