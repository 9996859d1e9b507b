"""Wrong: min(CAP, jitter) caps after drawing: every client past the 6th retry waits exactly CAP, together.

With the ceiling at 512 s, 94% of draws exceed 30 s and become exactly 30 s:
a long outage ends in one synchronized wave, every 30 s. (redis-py 8's
ExponentialWithJitterBackoff computes it this way: fine for one process's
few retries, not for a fleet of clients.)

The check says: "cap the ceiling, then draw"
"""

import random

BASE = 0.5  # seconds: the first retry's ceiling (client.js)
CAP = 30.0  # seconds: no retry ever waits longer (client.js)


class Backoff:
    """When one client tries again after its socket closed."""

    def __init__(self):
        self.attempt = 0  # failed tries since the last successful open

    def closed(self) -> float:
        """Called when the socket closed or a reconnect failed: seconds to wait before the next try."""
        delay = min(CAP, random.uniform(0, BASE * 2 ** min(self.attempt, 32)))
        self.attempt += 1
        return delay

    def opened(self) -> None:
        """Called when a socket opened."""
        self.attempt = 0
