"""Alternative 16.3, a plain dict of lists filtered by comprehension: each frame keeps its address's times of the last PERIOD s.

Still right: the list belongs to the client's address (no port; every socket without a client shares
the key None), it is looked up in the module's dict on every frame and never held on the socket, and
it is read, judged and written back with no await in between, so two sockets of one address cannot
both take the last place; a refused message is not counted; each new socket drops the addresses that
sent nothing in the last PERIOD seconds. The events, in order:

    websocket.connect     -> group_add; websocket.accept
    websocket.receive     -> over LIMIT in PERIOD s from this address: {"error": ...} to
                             this socket only; otherwise group_send {"type": "chat.message", ...}
    chat.message          -> websocket.send {"message": ...}
    websocket.disconnect  -> StopConsumer (the group is left in __call__'s finally)
"""

import json
import time

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exflood16"
LIMIT = 5  # messages
PERIOD = 1.0  # seconds

# Client address (None: unknown) -> the monotonic times of its messages, oldest first.
RECENT: dict[str | None, list[float]] = {}


class ChatConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        """Called once per socket: runs the consumer, and leaves the room however it ends."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def websocket_connect(self, event):
        """Called when a client opens the socket."""
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})
        now = time.monotonic()
        for address in [address for address, times in RECENT.items() if not times or times[-1] <= now - PERIOD]:
            del RECENT[address]  # quiet for a whole PERIOD: its list would count nothing

    async def websocket_receive(self, event):
        """Called for every frame: broadcast it, unless this socket's address is flooding."""
        if event.get("text") is None:  # a binary frame: the room hears text, and this is none
            error = {"error": "expected a text frame: a binary frame is not a message"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        address = (self.scope.get("client") or [None])[0]
        now = time.monotonic()
        times = [moment for moment in RECENT.get(address, []) if moment > now - PERIOD]
        if len(times) >= LIMIT:
            RECENT[address] = times
            error = f"too many messages from your address: at most {LIMIT} in {PERIOD:g} s"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
            return
        RECENT[address] = [*times, now]  # counted before the first await: the next frame already sees it
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
