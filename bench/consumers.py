"""The bare relay: a chat room with none of the teaching code, for the cost comparison.

Events, in order: `websocket.connect` -> join the group, accept;
`websocket.receive` -> `group_send` the frame's text as it came; `relay.message`
-> send that text to this socket; `websocket.disconnect` -> leave the group.
No JSON parsing, no validation, no error frames, no flood limit: whatever the
course's chat consumer (lesson 04, `layers_demo`) costs beyond this is the
price of the teaching code. HopFreeRelayConsumer is the same relay with a
dispatch that skips the sync-thread hop (see async_demo/hop_free.py): the
difference is what that hop costs in fan-out. Served only by bench/asgi.py,
never by the course.
"""

from channels.consumer import AsyncConsumer, get_handler_name
from channels.exceptions import StopConsumer


class BareRelayConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens a socket on ws/bench/relay/<room>/."""
        self.group = f"relay-{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for each frame the client sends: pass its text to the whole room, unread."""
        await self.channel_layer.group_send(self.group, {"type": "relay.message", "text": event.get("text") or ""})

    async def relay_message(self, event):
        """Called when the layer delivers a `relay.message` from the group to this consumer."""
        await self.send({"type": "websocket.send", "text": event["text"]})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: leave the room, then stop this consumer."""
        await self.channel_layer.group_discard(self.group, self.channel_name)
        raise StopConsumer()


class HopFreeRelayConsumer(BareRelayConsumer):
    async def dispatch(self, message):
        """Called for every event: AsyncConsumer.dispatch minus `await aclose_old_connections()`."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
