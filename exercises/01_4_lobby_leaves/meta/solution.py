"""Solution 01.4: raise StopConsumer() at the end of websocket_disconnect, after the cleanup.

Why: a raw consumer's loop keeps waiting for events until a handler raises
StopConsumer; websocket.disconnect is the last event a socket ever sends,
so that handler must end the instance once it has left its group. The
generic consumers (WebsocketConsumer...) do it for you; raw ones do not.
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
        async_to_sync(self.channel_layer.group_discard)(GROUP, self.channel_name)
        raise StopConsumer()
