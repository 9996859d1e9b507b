"""Alternative 17.1, the socket's state as the handler it calls next, and each frame read by a match pattern.

Still right: a socket starts on expect_name and moves to expect_heartbeat once a valid name joins; the
name lives on the socket's own instance; `case {"here": True}` compares True by identity, so 1 is no
heartbeat; every frame read (a join, a heartbeat) moves that student's time in last_seen, from any of
their sockets, and a student is online while that time is at most TTL seconds old.

Events, in order: websocket.connect (accept; the socket names no one yet); websocket.receive (the
first valid name joins, then heartbeats; anything else gets {"error": ...}); websocket.disconnect
(StopConsumer: nothing to undo, the name goes offline TTL s after its last frame).
"""

import json
import time

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

TTL = 60  # seconds: online while the newest frame is at most this old
last_seen: dict[str, float] = {}  # name -> clock() at that student's newest frame, from any socket


def clock() -> float:
    """Seconds on a clock that never jumps (the check moves it instead of waiting)."""
    return time.monotonic()


def online() -> list[str]:
    """The names seen within the last TTL seconds, sorted."""
    now = clock()
    return sorted(name for name, seen in last_seen.items() if now - seen <= TTL)


def decoded(text: str | None) -> object:
    """What a text frame's JSON holds; None for a binary frame, or text that is no JSON."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep to decode
        return None


def is_name(name: str) -> bool:
    """1 to 40 printable characters, not all spaces (isprintable() refuses control characters and lone surrogates)."""
    return 1 <= len(name) <= 40 and name.isprintable() and not name.isspace()


class OnlineConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a laptop opens the socket."""
        self.on_frame = self.expect_name  # this socket's next step: it speaks for no one yet
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: handled by whichever step this socket is at."""
        await self.on_frame(decoded(event.get("text")))

    async def expect_name(self, frame):
        match frame:
            case {"name": str(name)} if is_name(name):
                self.name = name
                last_seen[name] = clock()
                self.on_frame = self.expect_heartbeat
                await self.reply({"joined": name})
            case _:
                await self.reply({"error": 'the first frame names you: {"name": "<1 to 40 printable characters>"}'})

    async def expect_heartbeat(self, frame):
        match frame:
            case {"here": True}:
                last_seen[self.name] = clock()
            case _:
                await self.reply({"error": 'expected the heartbeat {"here": true}'})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()

    async def reply(self, frame: dict) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})
