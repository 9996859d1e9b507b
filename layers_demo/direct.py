"""Channel names and a direct send: one socket messages another by its address.

Every consumer instance gets its own `channel_name` from the layer; anything
that knows the name can `channel_layer.send(name, {...})` to that one consumer.
The events, in order:

    websocket.connect     -> websocket.accept; websocket.send {"address": ...}
    websocket.receive     -> {"to": <address>, "message": <text>}: channel_layer.send
                             {"type": "direct.message", ...} to that one channel.
                             Bad input, a forged address, a full channel, a client over
                             its budget (lesson 16's, the chat's): {"error": ...}
    direct.message        -> (from the layer) websocket.send {"from": ..., "message": ...}
    websocket.disconnect  -> StopConsumer

An address is the channel name plus a signature, so a client can only name
channels this server handed out. Lesson: lessons/04-channel-layers.md
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull, StopConsumer
from django.core import signing

from layers_demo.flood_budgets import shared_budgets
from layers_demo.validation import ClientError, parse_message
from lessons.clients import budget_keys

# Django signs with SECRET_KEY: every server process of the site shares it.
signer = signing.Signer(salt="layers_demo.direct")


def recipient(text: str) -> str:
    """The channel name in a frame's "to" address, or ClientError if it is missing or forged."""
    address = json.loads(text).get("to")  # parse_message() already proved it is a JSON object
    if not isinstance(address, str):
        raise ClientError(f'expected "to": an "address" this server sent, got {type(address).__name__}')
    try:
        return signer.unsign(address)
    except signing.BadSignature:
        raise ClientError('expected "to": an "address" this server sent, got one it did not sign') from None


class DirectConsumer(AsyncConsumer):
    """ws/layers/direct/: tells each socket its address; delivers a message to one address."""

    async def websocket_connect(self, event):
        """Called when a client asks to open ws/layers/direct/."""
        self.budget_keys = budget_keys(self.scope)  # a flooder's sockets share its budgets (lesson 16)
        await self.send({"type": "websocket.accept"})
        await self.send({"type": "websocket.send", "text": json.dumps({"address": signer.sign(self.channel_name)})})

    async def websocket_receive(self, event):
        """Called for every frame the client sends."""
        try:
            shared_budgets().check(self.budget_keys)
            message = parse_message(event.get("text"))
            channel = recipient(event["text"])
            shared_budgets().take(self.budget_keys)
            # Never a client-chosen channel: a channel of another kind of consumer
            # has no direct_message handler, and this message would crash it.
            await self.channel_layer.send(
                channel, {"type": "direct.message", "message": message, "from": signer.sign(self.channel_name)}
            )
        except ChannelFull:
            # send() to one channel says so when it is full; group_send never does.
            error = "not delivered: the recipient's channel is full, try again later"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
        except ClientError as error:
            await self.send({"type": "websocket.send", "text": json.dumps({"error": str(error)})})

    async def direct_message(self, event):
        """Called when the layer delivers a "direct.message" sent to this socket's channel."""
        frame = {"from": event["from"], "message": event["message"]}
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def websocket_disconnect(self, event):
        """Called once the socket is closed: nothing to leave, a channel name needs no cleanup."""
        raise StopConsumer()
