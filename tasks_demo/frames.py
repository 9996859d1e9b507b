"""Lesson 16's budget on ws/tasks/'s frames (lesson 18): a flood of frames is cut with 4429.

Every frame costs the process, whatever it asks: a {"watch": id} is a row read,
a group_add and, past MAX_WATCHED, an error; 6,000 of them from 20 sockets were
all answered in 12.4 s, and other handshakes slowed from 0.05 s to 0.36 s
meanwhile. So each frame spends a token from its client's bucket, before it is
read: TASK_FRAME_BURST at once (a page that comes back watches its 20 tasks
again, with room for a second tab), then TASK_FRAME_RATE a second. A frame
with no token left is not answered: the socket is closed with 4429 (too many
messages), as lesson 05's flood limit would after a warning.

Whose bucket: tasks_demo/budget.py's owner(), the same client its tasks in
flight count against (an account, else an address, an IPv6 one by its /64,
else the socket alone). Like lesson 16's budgets, the buckets live in this
process's memory, and a bucket that has filled up again is forgotten.
"""

import time

from django.conf import settings

DEFAULT_BURST = 40
DEFAULT_RATE = 2.0  # frames a second, once the burst is spent: a person clicking never meets it


def clock() -> float:
    """Seconds on a clock that never jumps (tests stop it instead of racing it)."""
    return time.monotonic()


class FrameBuckets:
    """One token bucket per client: `burst` tokens at most, `rate` more a second; a missing bucket is full."""

    def __init__(self):
        self.buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self.next_sweep = float("-inf")

    def take(self, client: str) -> bool:
        """Spend one of `client`'s tokens: True if it had one, False (nothing spent) if not."""
        burst = getattr(settings, "TASK_FRAME_BURST", DEFAULT_BURST)
        rate = getattr(settings, "TASK_FRAME_RATE", DEFAULT_RATE)
        now = clock()
        if now >= self.next_sweep:  # once per refill: a bucket full again is forgotten (missing means full)
            self.buckets = {key: (t, w) for key, (t, w) in self.buckets.items() if t + (now - w) * rate < burst}
            self.next_sweep = now + burst / rate
        tokens, then = self.buckets.get(client, (burst, now))
        tokens = min(burst, tokens + (now - then) * rate)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            return False
        self.buckets[client] = (tokens - 1, now)
        return True


# One per process, shared by every ws/tasks/ socket in it.
FRAMES = FrameBuckets()
