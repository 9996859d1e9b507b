"""Exercise 00.3 (fix): a typo in a socket's URL gives HTTP 500 and a traceback.

This is the WebSocket router of a small project of your own (the course's
own is lessons/routing.py; leave that one alone). ws/fix/echo/ works. A
socket to any other path, a typo or an old client, gets HTTP 500, and the
server logs a traceback for each one:

    ValueError: No route found for path 'ws/fix/ecoh/'.

(django/channels#2147 asks for a 404 instead). Fix the router so that a
path it does not know is refused cleanly (the handshake gets HTTP 403, the
course's contract) and never crashes, while ws/fix/echo/ keeps working.

Rules (the check proves each one, and nothing else):

1. A socket to any path no route claims (a typo, a near miss of
   ws/fix/echo/, another prefix, the root "/", a path holding a line break)
   is refused: closed before any accept (HTTP 403), nothing sent after the
   close, never a crash (HTTP 500), and no blocking call (time.sleep) on
   the event loop.
2. The consumer that refused a socket ends when the websocket.disconnect
   that follows the refusal arrives.
3. ws/fix/echo/ still echoes each text frame on its own socket, for two
   sockets at once, beside a refused one and after the other one left.
4. A crash inside ws/fix/echo/'s consumer (an error it raises) still reaches
   the server: nothing catches errors around the router.
5. A route claims its own path only: ws/fix/echo/extra/ and
   /evil/ws/fix/echo/ open no socket.
6. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 00.3

The check is exercises/00_3_unknown_path/check.py; once you have tried,
`python manage.py exercise 00.3 --solution` shows where the solution is.
"""

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.routing import URLRouter
from django.urls import path, re_path  # noqa: F401


class EchoConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        await self.send({"type": "websocket.send", "text": event.get("text") or ""})

    async def websocket_disconnect(self, event):
        raise StopConsumer()


# TODO: what happens to a path that no route matches?
websocket_urlpatterns = [
    path("ws/fix/echo/", EchoConsumer.as_asgi()),
]

application = URLRouter(websocket_urlpatterns)
