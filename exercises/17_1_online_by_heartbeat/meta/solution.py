"""Solution 17.1: who is online, with no ghost left behind.

Events, in order: websocket.connect (accept; the socket speaks for no one yet);
websocket.receive (the first frame names the student, {"name": ...}, answered
{"joined": name}; every later frame must be the heartbeat {"here": true}; each
frame read moves that student's last_seen); websocket.disconnect (StopConsumer:
there is nothing to undo).

Why this way: online means "seen within TTL seconds", a time stored per student,
not a socket counted. A laptop that sleeps with its socket open stops beating
and goes offline by itself; two sockets of one student (a --watch and a run)
keep them online while either beats; a consumer the server cancels, or one
whose send fails, leaves nothing behind to clean up. The name lives on self,
one per socket: never on the class, which every socket shares.
"""

import json
import time

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

TTL = 60  # seconds: online while the newest frame is at most this old
LONGEST_NAME = 40
NAME_FIRST = 'the first frame names you: {"name": "<1 to 40 characters>"}'
HEARTBEAT = 'expected the heartbeat {"here": true}'
last_seen: dict[str, float] = {}  # name -> clock() at that student's newest frame, from any socket


def clock() -> float:
    """Seconds on a clock that never jumps (the check moves it instead of waiting)."""
    return time.monotonic()


def online() -> list[str]:
    """The names seen within the last TTL seconds, sorted."""
    now = clock()
    return sorted(name for name, seen in last_seen.items() if now - seen <= TTL)


def json_object(text: str | None) -> dict | None:
    """The frame's JSON object, or None for anything else (not JSON, a list, a number)."""
    try:
        value = json.loads(text or "")
    except (ValueError, RecursionError):  # not JSON, or "[[[[..." nested too deep to decode
        return None
    return value if isinstance(value, dict) else None


def valid_name(name: object) -> bool:
    # isprintable() also refuses a lone surrogate ("\ud800"), which no UTF-8 frame could carry back.
    return isinstance(name, str) and name.strip() != "" and len(name) <= LONGEST_NAME and name.isprintable()


class OnlineConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a laptop opens the socket: accepted, but it speaks for no one until it names itself."""
        self.name = None
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: the first names the student, every later one is a heartbeat."""
        frame = json_object(event.get("text"))
        if self.name is None:
            name = frame.get("name") if frame is not None else None
            if not valid_name(name):
                await self.reply({"error": NAME_FIRST})
                return
            self.name = name
            last_seen[name] = clock()
            await self.reply({"joined": name})
            return
        if frame is None or frame.get("here") is not True:  # 1 == True in Python: `is` tells them apart
            await self.reply({"error": HEARTBEAT})
            return
        last_seen[self.name] = clock()

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: nothing to undo, the name goes offline TTL s after its last frame."""
        raise StopConsumer()

    async def reply(self, frame: dict) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})
