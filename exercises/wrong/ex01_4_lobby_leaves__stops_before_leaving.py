"""Wrong: StopConsumer ends the handler at once, so it must come after the cleanup, not before.

Raised first, it skips group_discard: the consumer ends, but its channel
stays in the group "fixlobby" until the group expires.

The check says: "the closed socket's channel is still in the group fixlobby. A"
"""

from asgiref.sync import async_to_sync
from channels.consumer import SyncConsumer
from channels.exceptions import StopConsumer

GROUP = "fixlobby"


class LobbyConsumer(SyncConsumer):
    def websocket_connect(self, event):
        async_to_sync(self.channel_layer.group_add)(GROUP, self.channel_name)
        self.send({"type": "websocket.accept"})

    def websocket_receive(self, event):
        self.send({"type": "websocket.send", "text": event.get("text") or ""})

    def websocket_disconnect(self, event):
        raise StopConsumer()
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
