"""Wrong: the attempt count is never reset on open: one blip after a long outage waits up to the full cap.

opened() does nothing, so a client that once failed ten times waits up to
30 s after every later close, however healthy the server has been since.

The check says: "opened() must start the count again from 0"
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
        ceiling = min(CAP, BASE * 2 ** min(self.attempt, 32))
        self.attempt += 1
        return random.uniform(0, ceiling)

    def opened(self) -> None:
        """Called when a socket opened."""
