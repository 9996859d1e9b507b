"""Why async matters: one socket's slow wait does not hold up the others (lesson 02).

Events, in the order they happen on one connection:

    websocket.connect     the client asks to open     -> we await send websocket.accept
    websocket.receive     a text frame "S" (seconds)  -> we await asyncio.sleep(S), then send {"slept": S}
                          anything else               -> we send {"error": "..."}
    websocket.disconnect  the socket is closed        -> we raise StopConsumer()

While one socket awaits asyncio.sleep, the event loop serves every other socket.
Lesson: lessons/02-async-consumer.md
"""

import asyncio
import json
import math

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

MAX_SLEEP = 10.0


class SlowConsumer(AsyncConsumer):
    """ws/async/slow/: a text frame "S" waits S seconds (0-10), then replies {"slept": S}."""

    channel_layer_alias = None  # no channel layer needed (see consumers.EchoConsumer)

    async def websocket_connect(self, event):
        """Called when a client asks to open the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame; this socket's next frame waits until this one is answered."""
        text = event.get("text")
        try:
            seconds = float(text) if text is not None else math.nan
        except ValueError:
            seconds = math.nan
        if not 0 <= seconds <= MAX_SLEEP:
            got = "a binary frame" if text is None else repr(text[:40])
            error = f"expected a text frame holding seconds from 0 to {MAX_SLEEP:g}, got {got}"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
            return
        # asyncio.sleep hands the event loop to other sockets while this one waits;
        # time.sleep here would freeze every socket on this server for `seconds`.
        await asyncio.sleep(seconds)
        await self.send({"type": "websocket.send", "text": json.dumps({"slept": seconds})})

    async def websocket_disconnect(self, event):
        """Called once the socket is closed."""
        raise StopConsumer()
