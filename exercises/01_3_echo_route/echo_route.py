"""Exercise 01.3 (fix): the echo is routed, but every socket crashes.

The consumer below is a correct raw echo. The route list under it is what
lessons/routing.py would include. Yet a socket on ws/fix/echo/ never opens:
the handshake fails, and the server's log shows

    TypeError: EchoConsumer() takes no arguments

(older Channels said `__call__() missing 1 required positional argument:
'send'`; django/channels#1735). Find the mistake and fix it; the consumer
itself is fine.

Rules (the check proves each one, and nothing else):

1. A socket on ws/fix/echo/ opens, and its frames are echoed.
2. Two sockets open at once each hear their own echo, and one closing
   leaves the other echoing: one consumer instance per socket.
3. Only ws/fix/echo/ itself is routed: a path with more before or after it
   (ws/fix/echo/extra/, /evil/ws/fix/echo/) is refused.
4. After an empty text frame the socket stays open and still echoes.
5. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 01.3

The check is exercises/01_3_echo_route/check.py; once you have tried,
`python manage.py exercise 01.3 --solution` shows where the solution is.
"""

from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer
from django.urls import path


class EchoConsumer(SyncConsumer):
    def websocket_connect(self, event):
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        if event.get("text") is not None:
            self.send({"type": "websocket.send", "text": event["text"]})
        else:
            self.send({"type": "websocket.send", "bytes": event["bytes"]})

    def websocket_disconnect(self, event):
        raise StopConsumer()


websocket_urlpatterns = [
    # TODO: what does a route need: a consumer class, or an ASGI application?
    path("ws/fix/echo/", EchoConsumer),
]
