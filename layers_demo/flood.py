"""Flood control for chat sockets: at most N frames in any T seconds (lesson 05).

One socket sending without pause would reach every socket in its room, on every
server process, through Redis. The chat consumer gives each socket a RateLimit
and answers a frame over the limit with an `{"error": ...}` frame instead of
broadcasting it: that socket stays open, and nobody else notices.
"""

import time
from collections import deque
from collections.abc import Callable

from django.conf import settings

from layers_demo.validation import ClientError

# The contract: more than 100 messages in a minute from one socket is a flood.
# Tests (and a benchmark) may lower or raise it with these two settings.
DEFAULT_LIMIT = 100
DEFAULT_PERIOD = 60.0  # seconds


class RateLimit:
    """A sliding window: allows at most `limit` events in any `period` seconds."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.period = period
        self.clock = clock
        self.times: deque[float] = deque()  # when each allowed event happened, oldest first

    def allow(self) -> bool:
        """True, and count the event, if it fits in the window; False (not counted) if not."""
        now = self.clock()
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return False
        self.times.append(now)
        return True

    def check(self) -> None:
        """Count one more event, or raise ClientError saying the limit and how long to wait."""
        if not self.allow():
            raise ClientError(
                f"too many messages: at most {self.limit} in {self.period:g} s; "
                f"this one was not sent, wait {self.retry_after():.1f} s"
            )

    def retry_after(self) -> float:
        """Seconds until the window has room again (0 if it has room now)."""
        if len(self.times) < self.limit:
            return 0.0
        return max(0.0, self.times[0] + self.period - self.clock())


def chat_rate_limit() -> RateLimit:
    """A fresh RateLimit for one chat socket, from CHAT_FLOOD_LIMIT and CHAT_FLOOD_PERIOD."""
    return RateLimit(
        getattr(settings, "CHAT_FLOOD_LIMIT", DEFAULT_LIMIT),
        getattr(settings, "CHAT_FLOOD_PERIOD", DEFAULT_PERIOD),
    )
