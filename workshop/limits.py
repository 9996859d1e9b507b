"""The student socket's rate limit and presence pace (lesson 17), one of each per student.

A token bucket per student: up to BURST frames at once, then RATE a second.
Lesson 05's flood limit was per socket and lesson 16 showed why that is not
enough (ten sockets, ten limits): this bucket is the student's, shared by every
socket their token opens in this process. The room runs one server process;
with several, each would have its own bucket for the same student.

Presence (Student.last_seen) moves with every frame, but is written at most
once every SEEN_EVERY seconds per student: a heartbeat every 20 s, or a flood,
costs the database nothing more.
"""

import time

RATE = 5.0  # frames a second, once the burst is spent
BURST = 20  # frames at once: a `--watch` reporting a run of checks, with room to spare
REFUSED_BEFORE_CLOSE = 100  # frames refused on one socket before it is closed with 4429
SEEN_EVERY = 5.0  # seconds between two writes of one student's last_seen (PRESENCE_TTL is 60)


def clock() -> float:
    """Seconds on a clock that never jumps (tests move it instead of waiting)."""
    return time.monotonic()


class TokenBucket:
    """Holds up to `burst` tokens, refilled at `rate` a second; each frame takes one."""

    def __init__(self, rate: float = RATE, burst: int = BURST):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = clock()

    def take(self) -> bool:
        """True, and one token fewer, if a token is left; False (nothing taken) if not."""
        now = clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


# Student ids are never reused (the tables count up), so these never mix two students.
buckets: dict[int, TokenBucket] = {}
seen_written: dict[int, float] = {}  # student id -> when their last_seen was last written (clock())


def bucket_for(student_id: int) -> TokenBucket:
    """The bucket every socket of this student shares, in this process."""
    return buckets.setdefault(student_id, TokenBucket())


def presence_due(student_id: int) -> bool:
    """True (and counted as written) if this student's last_seen was last written SEEN_EVERY s ago or more."""
    now = clock()
    if now - seen_written.get(student_id, -SEEN_EVERY) < SEEN_EVERY:
        return False
    seen_written[student_id] = now
    return True
