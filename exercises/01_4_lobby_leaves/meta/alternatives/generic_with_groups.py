# The generic WebsocketConsumer with groups = ["fixlobby"]: it joins before connect() and leaves, then raises StopConsumer, in its own websocket_disconnect.
"""Alternative 01.4: let the generic consumer do the joining, leaving and stopping.

WebsocketConsumer.websocket_connect adds the socket to every group in
`groups` before it calls connect(); its websocket_disconnect discards them
and raises StopConsumer for you (lesson 03).
"""

from channels.generic.websocket import WebsocketConsumer

GROUP = "fixlobby"


class LobbyConsumer(WebsocketConsumer):
    groups = [GROUP]

    def receive(self, text_data=None, bytes_data=None):
        self.send(text_data=text_data or "")
