"""The bare relay: a chat room with none of the teaching code, for the cost comparison.

Events, in order: `websocket.connect` -> join the group, accept;
`websocket.receive` -> `group_send` the frame's text as it came; `relay.message`
-> send that text to this socket; `websocket.disconnect` -> leave the group.
No JSON parsing, no validation, no error frames, no flood limit: whatever the
course's chat consumer (lesson 04, `layers_demo`) costs beyond this is the
price of the teaching code. HopFreeRelayConsumer is the same relay with a
dispatch that skips the sync-thread hop (see async_demo/hop_free.py): the
difference is what that hop costs in fan-out. LayerStateConsumer reads this
process's channel layer for lesson 14's churn section (bench/scale/churn.py).
Served only by bench/common/asgi.py, never by the course.
"""

import json

from channels.consumer import AsyncConsumer, get_handler_name
from channels.exceptions import StopConsumer
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer


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


class LayerStateConsumer(AsyncConsumer):
    """ws/bench/layer-state/: one frame with what this process's layer holds in memory, then close.

    Events: `websocket.connect` -> accept, `websocket.send` the state as JSON,
    `websocket.close`. The in-memory layer (and pub/sub's local bookkeeping)
    lives inside the server process, so a client can only read it through the
    process. This consumer asks for no channel of its own (an alias no setting
    names), so reading the state does not change it.
    """

    channel_layer_alias = "bench-no-layer"

    async def websocket_connect(self, event):
        """Called when the bench client opens the socket: answer with the state and close."""
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps(layer_state(get_channel_layer()))})
        await self.send({"type": "websocket.close"})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()


def layer_state(layer) -> dict:
    """Groups and per-channel state a layer keeps in this process: {"groups": {name: members}, ...}."""
    if isinstance(layer, InMemoryChannelLayer):
        return {
            "groups": {group: len(members) for group, members in layer.groups.items()},
            "channels": len(layer.channels),  # a queue per channel with messages or a reader
            "empty": sum(queue.empty() for queue in layer.channels.values()),
            "queued": sum(queue.qsize() for queue in layer.channels.values()),
        }
    if isinstance(layer, RedisPubSubChannelLayer):
        local = layer._get_layer()  # one per event loop; Daphne has one
        return {
            "groups": {group: len(members) for group, members in local.groups.items()},
            "channels": len(local.channels),  # a queue, and a Redis subscription, per consumer
            "queued": sum(queue.qsize() for queue in local.channels.values()),
            "subscriptions": sum(len(shard._subscribed_to) for shard in local._shards),
        }
    # The core layer keeps groups in Redis (the client reads them there); in
    # memory it keeps a receive buffer per channel that a message arrived for.
    return {
        "receive_buffers": len(layer.receive_buffer),
        "empty": sum(queue.empty() for queue in layer.receive_buffer.values()),
        "queued": sum(queue.qsize() for queue in layer.receive_buffer.values()),
    }
