"""Solution 14.2: exponential backoff, capped, with full jitter; the count starts again on every open.

Why full jitter: clients that lost the same server retry spread evenly over
[0, ceiling], so a restart meets a trickle, not a wave. A fixed delay, or a
little jitter on top of one, keeps the wave and only moves it; drawing the
jitter and then capping it puts every long-failing client at exactly CAP.
Why cap the ceiling: without one, a client that failed 12 times may wait over
half an hour after the server is back. Why reset on open: one blip after a long
outage should cost BASE, not CAP. (AWS Architecture Blog, "Exponential
Backoff And Jitter". redis-py 8's ExponentialWithJitterBackoff, lesson 05,
caps after the draw, min(cap, random() * base * 2 ** failures): harmless for
one process's six retries, a wave for ten thousand clients.)
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
        # min(attempt, 32): 2 ** 32 half-seconds is far past CAP, and BASE * 2 ** 1100 no longer
        # fits a float (OverflowError); a client must keep trying however long the outage lasts.
        ceiling = min(CAP, BASE * 2 ** min(self.attempt, 32))
        self.attempt += 1
        return random.uniform(0, ceiling)

    def opened(self) -> None:
        """Called when a socket opened."""
        self.attempt = 0
