"""Solution 16.3: one flood limit per client address, whatever number of sockets it opens.

Why this way: the window of recent message times belongs to the client's
address, scope["client"][0], in a dict every socket of this process shares;
a socket only looks its address's window up. A new socket neither gets a
fresh window nor resets its address's, and the port (one per socket) is no
part of the key. Lesson 16's layers_demo/flood_budgets.py does the same with
token buckets, per user and per address. The events, in order:

    websocket.connect     -> group_add; websocket.accept
    websocket.receive     -> over LIMIT in PERIOD s from this address: {"error": ...} to
                             this socket only; otherwise group_send {"type": "chat.message", ...}
    chat.message          -> websocket.send {"message": ...}
    websocket.disconnect  -> StopConsumer (the group is left in __call__'s finally)

An address whose window holds nothing of the last PERIOD seconds counts
nothing: each new socket forgets every such address, so memory holds the
addresses heard from lately, not every one that ever sent (lesson 16's
flood_budgets.py forgets its idle buckets the same way).

What it does not cover: several server processes (each has its own dict:
a flooder whose sockets land on all of them gets the limit once per
process), and a client with many addresses.
"""

import json
import time
from collections import defaultdict, deque

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exflood16"
LIMIT = 5  # messages
PERIOD = 1.0  # seconds

# Each client address's recent message times, shared by all its sockets in this process.
windows: defaultdict[str, deque[float]] = defaultdict(deque)


def address_of(scope: dict) -> str:
    """Whose window a socket spends from: its client's address, without the port (one per socket)."""
    client = scope.get("client")
    # No client (a Unix socket without --proxy-headers): all such clients share one window.
    return client[0] if client else "unknown"


def forget_quiet_windows(now: float) -> None:
    """Forget every address that sent nothing in the last PERIOD seconds: its window counts nothing."""
    quiet = [address for address, sent in windows.items() if all(moment + PERIOD <= now for moment in sent)]
    for address in quiet:
        del windows[address]


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
        forget_quiet_windows(time.monotonic())  # each new socket: memory never holds every address that ever sent

    async def websocket_receive(self, event):
        """Called for every frame: broadcast it, unless this socket's address is flooding."""
        if event.get("text") is None:  # a binary frame: the room hears text, and this is none
            error = {"error": "expected a text frame: a binary frame is not a message"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        now = time.monotonic()
        sent = windows[address_of(self.scope)]
        while sent and sent[0] <= now - PERIOD:
            sent.popleft()
        if len(sent) >= LIMIT:
            error = f"too many messages from your address: at most {LIMIT} in {PERIOD:g} s"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
            return
        sent.append(now)
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": event.get("text") or ""})

    async def chat_message(self, event):
        """Called for each message of the room."""
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
