"""Alternative 14.2, a dataclass with a generator of its own per client: random.Random() seeded from the OS.

Still right: random.Random() with no seed takes its seed from os.urandom, so every client (and every
process) draws its own delays; the exponent stops growing once the ceiling passes CAP, so a day-long
outage never overflows; attempt counts the failed tries since the last open, and opened() resets it.
"""

import random
from dataclasses import dataclass, field

BASE = 0.5  # seconds: the first retry's ceiling (client.js)
CAP = 30.0  # seconds: no retry ever waits longer (client.js)


@dataclass
class Backoff:
    """When one client tries again after its socket closed."""

    attempt: int = 0  # failed tries since the last successful open
    draw: random.Random = field(default_factory=random.Random)

    def closed(self) -> float:
        """Called when the socket closed or a reconnect failed: seconds to wait before the next try."""
        ceiling = min(CAP, BASE * 2 ** min(self.attempt, 32))
        self.attempt += 1
        return self.draw.random() * ceiling

    def opened(self) -> None:
        """Called when a socket opened."""
        self.attempt = 0
