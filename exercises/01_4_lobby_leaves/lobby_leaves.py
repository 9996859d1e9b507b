"""Exercise 01.4 (fix): the lobby socket closes, but its consumer never ends.

LobbyConsumer joins the group "fixlobby" when a socket opens, echoes its
frames, and leaves the group when the socket closes. It works in the
browser. But on a server, every closed socket leaves its consumer running,
until Daphne gives up ten seconds later and logs

    Application instance <Task ...> for connection <WebSocketProtocol ...>
    took too long to shut down and was killed.

Channels' docs say what a raw consumer must do once the socket has closed
(django/channels#1163 asks for exactly that example). Find the mistake and
fix it, without losing the cleanup.

Rules (the check proves each one, and nothing else):

1. It accepts every socket and echoes each text frame unchanged to its own
   socket only; no frame of any kind crashes it.
2. An open socket is in the group "fixlobby": it joins before it accepts.
   If joining fails (the layer is down), the error goes through: the
   socket is never opened as if it were in the lobby.
3. The consumer ends once its socket has closed, whatever the close code.
4. The closed socket has left the group, whatever the close code, and only
   it: of two sockets, the one still open stays in the group and echoes.
5. The consumer ends even when leaving the group fails (the layer is down).
6. Every layer call runs on the server's event loop: from a sync handler
   through async_to_sync(...)(...), never asyncio.run().
7. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 01.4

The check is exercises/01_4_lobby_leaves/check.py; once you have tried,
`python manage.py exercise 01.4 --solution` shows where the solution is.
"""

from asgiref.sync import async_to_sync
from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer  # noqa: F401

GROUP = "fixlobby"


class LobbyConsumer(SyncConsumer):
    def websocket_connect(self, event):
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        self.send({"type": "websocket.send", "text": event.get("text") or ""})

    def websocket_disconnect(self, event):
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
        # TODO: the socket is gone; what tells Channels this consumer is done?
