"""Wrong: backoff without jitter: clients that lost the server together all retry at the same instants.

This is client.js as lesson 12 first shipped it: min(CAP, BASE * 2 ** attempt).
Every client waits exactly 0.5 s, then 1 s, then 2 s: the storm only moves.

The check says: "retry at the same instant"
"""

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
        return delay

    def opened(self) -> None:
        """Called when a socket opened."""
        self.attempt = 0
