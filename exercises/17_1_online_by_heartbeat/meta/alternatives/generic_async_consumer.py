"""Alternative 17.1, the generic AsyncWebsocketConsumer: receive() parses the frame, self.name says which frame it waits for.

Still right: each socket's name lives on self and is set once, by its first good frame; every later frame
must be exactly {"here": true} (`is True`: 1 and "true" are not); each good frame stores clock() for its
own name only, in the module's one dict, so a student's other sockets and a closed socket change nothing;
online() keeps the names whose newest time is at most TTL old.
"""

import json
import time

from channels.generic.websocket import AsyncWebsocketConsumer

TTL = 60  # seconds: online while the newest frame is at most this old
last_seen: dict[str, float] = {}  # name -> clock() at that student's newest frame, from any socket


def clock() -> float:
    """Seconds on a clock that never jumps (the check moves it instead of waiting)."""
    return time.monotonic()


def online() -> list[str]:
    """The names seen within the last TTL seconds, sorted."""
    now = clock()
    return sorted(name for name, seen in last_seen.items() if seen >= now - TTL)


class OnlineConsumer(AsyncWebsocketConsumer):
    name = None  # set on the instance by its first good frame

    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        try:
            frame = json.loads(text_data) if text_data is not None else None
        except (ValueError, RecursionError):
            frame = None
        if not isinstance(frame, dict):
            frame = {}
        if self.name is None:
            name = frame.get("name")
            if not (isinstance(name, str) and 1 <= len(name) <= 40 and name.isprintable() and not name.isspace()):
                await self.send(
                    text_data=json.dumps({"error": 'first send {"name": "<1 to 40 printable characters>"}'})
                )
                return
            self.name = name
            last_seen[name] = clock()
            await self.send(text_data=json.dumps({"joined": name}))
        elif frame.get("here") is True:
            last_seen[self.name] = clock()
        else:
            await self.send(text_data=json.dumps({"error": 'expected the heartbeat {"here": true}'}))
