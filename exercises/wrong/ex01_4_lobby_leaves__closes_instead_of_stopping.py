"""Wrong: closing the socket is not ending the consumer; only StopConsumer ends a raw consumer.

Sending websocket.close from websocket_disconnect answers a socket that is
already gone, and the instance still waits for events that never come.

The check says: "the consumer was still running 1 s after websocket.disconnect"
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
        self.send({"type": "websocket.close"})
