"""Alternative 16.3, quiet addresses kept until a sweep: at most every 30 s, a message sweeps out the quiet ones.

Still right: the window belongs to the client's address and is looked up on every frame, judged and
counted with no await in between; a quiet address's window counts nothing, so keeping it until the
sweep changes no verdict, and the sweep (run by the first message 30 s after the last one) forgets
every address that sent nothing in the last PERIOD seconds: memory holds the addresses of the last
half minute, not every one that ever sent. The events, in order:

    websocket.connect     -> group_add; websocket.accept
    websocket.receive     -> over LIMIT in PERIOD s from this address: {"error": ...} to
                             this socket only; otherwise group_send {"type": "chat.message", ...}
    chat.message          -> websocket.send {"message": ...}
    websocket.disconnect  -> StopConsumer (the group is left in __call__'s finally)
"""

import json
import time
from collections import deque

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

GROUP = "exflood16"
LIMIT = 5  # messages
PERIOD = 1.0  # seconds
SWEEP = 30.0  # seconds between two sweeps of the quiet addresses

windows: dict[str, deque[float]] = {}  # client address -> its message times, every socket of this process
swept = [time.monotonic()]  # when the last sweep ran


def sweep(now: float) -> None:
    """Forget every address with no message in the last PERIOD seconds, if the last sweep is SWEEP s old."""
    if now - swept[0] < SWEEP:
        return
    swept[0] = now
    for address in [address for address, sent in windows.items() if not sent or sent[-1] <= now - PERIOD]:
        del windows[address]


class ChatConsumer(AsyncConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def websocket_connect(self, event):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        text = event.get("text")
        if text is None:
            return await self.send({"type": "websocket.send", "text": json.dumps({"error": "send text frames"})})
        now = time.monotonic()
        sweep(now)
        client = self.scope.get("client")
        sent = windows.setdefault(client[0] if client else "", deque())
        while sent and sent[0] <= now - PERIOD:
            sent.popleft()
        if len(sent) >= LIMIT:
            error = {"error": f"at most {LIMIT} messages in {PERIOD:g} s from one address"}
            return await self.send({"type": "websocket.send", "text": json.dumps(error)})
        sent.append(now)
        await self.channel_layer.group_send(GROUP, {"type": "chat.message", "message": text})

    async def chat_message(self, event):
        await self.send({"type": "websocket.send", "text": json.dumps({"message": event["message"]})})

    async def websocket_disconnect(self, event):
        raise StopConsumer()
