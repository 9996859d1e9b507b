"""Alternative 14.2, the ceiling kept and doubled on each close instead of a count: it simply stops at CAP.

Still right: the first close's ceiling is BASE, each later one twice the last but never past CAP, which is
min(CAP, BASE * 2 ** attempt) without a power that can overflow; the delay is random.uniform(0, ceiling)
from the unseeded module generator; opened() puts the ceiling back to BASE; each client keeps its own.
"""

import random

BASE = 0.5  # seconds: the first retry's ceiling (client.js)
CAP = 30.0  # seconds: no retry ever waits longer (client.js)


class Backoff:
    """When one client tries again after its socket closed."""

    def __init__(self):
        self.ceiling = BASE  # the next retry's ceiling

    def closed(self) -> float:
        """Called when the socket closed or a reconnect failed: seconds to wait before the next try."""
        delay = random.uniform(0, self.ceiling)
        self.ceiling = min(CAP, self.ceiling * 2)
        return delay

    def opened(self) -> None:
        """Called when a socket opened."""
        self.ceiling = BASE
