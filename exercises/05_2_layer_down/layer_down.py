"""Exercise 05.2: Close with 4503 when the channel layer fails.

LayerDownConsumer joins a group on connect. When the channel layer raises
redis.exceptions.RedisError (Redis is down), the socket must be closed with
4503 ("try again later") instead of crashing with 1011, wherever the
layer fails: joining, sending, or reading the consumer's own channel.
While the layer works, it is a plain room: every socket hears every text
frame. However the consumer ends (the client leaves, the server cancels it
at shutdown, the layer fails), it leaves the group.

Edit this file, then check it:

    python manage.py exercise 05.2

The check is exercises/05_2_layer_down/check.py; once you have tried,
`python manage.py exercise 05.2 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exlayerdown"


class LayerDownConsumer(AsyncConsumer):
    # TODO: override __call__ to turn a RedisError into a close with code 4503, and leave the group on every path

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: pass it to the room."""
        if event.get("text") is None:  # a binary frame: the room hears text, and this is none
            error = {"error": "expected a text frame: a binary frame is not a message"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": event["message"]})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
