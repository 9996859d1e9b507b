"""Alternative 17.1, the sync WebsocketConsumer: the same rules, its handlers in a thread, the name on self.

Still right: a sync consumer's receive() runs in asgiref's thread, where setting one dict entry is as
safe as on the loop; the first good frame names the socket once, later ones must be {"here": true}, and
each moves only its own student's time; online() is a plain function over that dict and clock().
"""

import json
import time

from channels.generic.websocket import WebsocketConsumer

TTL = 60  # seconds: online while the newest frame is at most this old
last_seen: dict[str, float] = {}  # name -> clock() at that student's newest frame, from any socket


def clock() -> float:
    """Seconds on a clock that never jumps (the check moves it instead of waiting)."""
    return time.monotonic()


def online() -> list[str]:
    """The names seen within the last TTL seconds, sorted."""
    now = clock()
    return sorted(name for name, seen in last_seen.items() if now - seen <= TTL)


def decoded(text: str | None) -> dict:
    """The frame's JSON object, or {} for anything else."""
    try:
        value = json.loads(text or "null")
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


class OnlineConsumer(WebsocketConsumer):
    def connect(self):
        self.name = None
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        frame = decoded(text_data)
        if self.name is not None:
            if frame.get("here") is not True:
                self.send(text_data=json.dumps({"error": 'only {"here": true} now'}))
                return
            last_seen[self.name] = clock()
            return
        name = frame.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 40 or not name.isprintable():
            self.send(text_data=json.dumps({"error": "the first frame names you: 1 to 40 printable characters"}))
            return
        self.name = name
        last_seen[name] = clock()
        self.send(text_data=json.dumps({"joined": name}))
