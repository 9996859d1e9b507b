"""Exercise 17.1: Who is online, with no ghost left behind.

Lesson 17's room shows each student online or not. A socket is a poor
witness: a laptop that sleeps keeps its socket open for minutes with nothing
behind it, a student has two sockets at once (a --watch and a run), and a
server that cancels a consumer sends it no websocket.disconnect. So online
here means "seen within TTL seconds": a time stored per student, moved by
each of their frames.

OnlineConsumer, one per socket:

- the first frame names the student: {"name": "<1 to 40 printable
  characters, not only spaces>"}, answered {"joined": <name>};
- every later frame must be the heartbeat {"here": true}, not answered;
- each frame it reads moves that student's time in `last_seen` (read the
  time with clock(): the check moves it instead of waiting);
- any other frame gets {"error": "<why>"} on its own socket, which stays
  open, and names no one.

online() returns the sorted names whose newest frame, from any of their
sockets, is at most TTL seconds old.

Rules (the check proves each one, and nothing else):

1. A socket's first good frame names it: {"name": <a str of 1 to 40
   characters, each printable by str.isprintable() (no newline, tab, escape,
   zero-width space), not only spaces>}, answered {"joined": <name>}.
2. After that its only good frame is {"here": true} (true itself: not 1, not
   "true"), not answered; each good frame moves its own student's time to
   clock(), never another's, whatever else the frame says.
3. online() lists, sorted, each name whose newest good frame, from any of its
   sockets, is at most TTL (60) seconds old; a socket that closes, fails or
   is cancelled changes nothing.
4. Any other frame (binary, not JSON, another shape, nested too deep, a name
   that breaks rule 1, a second name) gets {"error": "<why>"} on its own
   socket, which stays open; it names no one and reaches no other socket, and
   no frame crashes the consumer. The consumer ends on websocket.disconnect.
5. Nothing blocks the event loop or sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 17.1

The check is exercises/17_1_online_by_heartbeat/check.py; once you have tried,
`python manage.py exercise 17.1 --solution` shows where the solution is.
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
    # TODO
    return []


class OnlineConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a laptop opens the socket."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame."""
        # TODO: the first frame names the student, every later one is a heartbeat
        await self.send({"type": "websocket.send", "text": json.dumps({"error": "not built yet"})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
