# StopConsumer raised in a finally around the group_discard: the instance ends after leaving, and even if leaving failed.
"""Alternative 01.4: leave the group, and stop in a `finally`.

The cleanup runs first, as in the solution; the `finally` makes the stop
unconditional, so a layer that fails to discard cannot leave the instance
waiting for events that never come.
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
        try:
            async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
        finally:
            raise StopConsumer()
