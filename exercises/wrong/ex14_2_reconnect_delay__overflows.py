"""Wrong: BASE * 2 ** attempt grows without bound: after 1024 failed tries it overflows a float and the client gives up.

min(CAP, ...) caps the result, but the product is computed first: after
some hours of outage OverflowError ends the reconnect loop for good.

The check says: "raised OverflowError"
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
        ceiling = min(CAP, BASE * 2**self.attempt)
        self.attempt += 1
        return random.uniform(0, ceiling)

    def opened(self) -> None:
        """Called when a socket opened."""
        self.attempt = 0
