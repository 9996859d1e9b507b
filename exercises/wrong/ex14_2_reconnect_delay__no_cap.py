"""Wrong: backoff with jitter but no cap: after 12 failed tries a client may wait over half an hour.

random.uniform(0, BASE * 2 ** attempt) keeps doubling: the server is back,
and clients sit out a ceiling of 1024 s, then 2048 s...

The check says: "cap the ceiling at CAP = 30 s before drawing"
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
        delay = random.uniform(0, BASE * 2**self.attempt)
        self.attempt += 1
        return delay

    def opened(self) -> None:
        """Called when a socket opened."""
        self.attempt = 0
