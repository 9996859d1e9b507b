"""Alternative 14.2, the cap found once by log2 and the draw from random.SystemRandom: no exponent ever grows past the cap.

Still right: below DOUBLINGS (6) failed tries the ceiling BASE * 2 ** attempt is under CAP, from there on
it is CAP itself, so the ceiling is min(CAP, BASE * 2 ** attempt) without ever computing a huge power;
the delay is drawn uniformly from 0 to the ceiling by the operating system's generator, which no seed
makes two processes share; the count lives on each client and starts again on open.
"""

import math
import random

BASE = 0.5  # seconds: the first retry's ceiling (client.js)
CAP = 30.0  # seconds: no retry ever waits longer (client.js)

# The first attempt whose ceiling BASE * 2 ** attempt would reach past CAP.
DOUBLINGS = math.ceil(math.log2(CAP / BASE))
DRAW = random.SystemRandom()


class Backoff:
    """When one client tries again after its socket closed."""

    def __init__(self):
        self.attempt = 0  # failed tries since the last successful open

    def closed(self) -> float:
        """Called when the socket closed or a reconnect failed: seconds to wait before the next try."""
        ceiling = BASE * 2**self.attempt if self.attempt < DOUBLINGS else CAP
        self.attempt += 1
        return DRAW.uniform(0, ceiling)

    def opened(self) -> None:
        """Called when a socket opened."""
        self.attempt = 0
