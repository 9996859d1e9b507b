"""Exercise 05.2: Close with 4503 when the channel layer fails.

LayerDownConsumer joins a group on connect. When the channel layer raises
redis.exceptions.RedisError (Redis is down), the socket must be closed with
4503 ("try again later") instead of crashing with 1011, wherever the
layer fails: joining, sending, or reading the consumer's own channel.
While the layer works, it is a plain room: every socket hears every text
frame. However the consumer ends (the client leaves, the server cancels it
at shutdown, the layer fails), it leaves the group.

Rules (the check proves each one, and nothing else):

1. While the layer works, it is a plain room: every text frame reaches
   every socket in the group "exlayerdown", the sender's too, as it was
   sent.
2. When the layer fails as a socket joins (redis.exceptions.RedisError:
   Redis down, too slow, or a read-only replica), the socket is closed
   with 4503, never 1011, and the consumer then ends quietly (raising
   nothing), sending nothing after the close.
3. When the layer fails as a frame is passed to the room, that socket
   alone is closed with 4503; every other socket stays open.
4. When the layer fails outside any handler (the consumer's own read of
   its channel), the socket is closed with 4503 too.
5. Only a layer failure (a RedisError; redis-py's ConnectionError is not
   Python's built-in one) becomes 4503: a bug, such as a message no
   handler takes, still crashes the consumer.
6. However the consumer ends (the client leaves with any close code, the
   server cancels it, a layer failure, or the server's send() raises),
   it leaves the group, and no task of it is left running; a cancelled
   consumer ends cancelled (its CancelledError raised again).
7. No handler stalls the event loop (no time.sleep, no retry that
   sleeps).
8. No frame crashes the consumer: a binary frame gets {"error": ...} (or
   a close with 4503) on its own socket and reaches no one else.
9. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
