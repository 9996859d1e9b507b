"""Wrong: jitter added on top of the backoff delay: nobody retries before it, so the storm comes whole, later.

The fixed part, min(CAP, BASE * 2 ** attempt), is the same for every client;
a random half second after it spreads them over a window that starts late.

The check says: "jitter added on top of a fixed delay"
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
        delay = min(CAP, BASE * 2 ** min(self.attempt, 32))
        self.attempt += 1
        return delay + random.uniform(0, BASE)

    def opened(self) -> None:
        """Called when a socket opened."""
        self.attempt = 0
