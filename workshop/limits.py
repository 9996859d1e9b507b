"""The student socket's rate limits and presence pace (lesson 17): a budget per student, and one per address.

A token bucket per student: up to BURST frames at once, then RATE a second.
Lesson 05's flood limit was per socket and lesson 16 showed why that is not
enough (ten sockets, ten limits): this bucket is the student's, shared by every
socket their token opens in this process. And a student is only a join away
(the code is on the projector): ten names from one laptop were ten budgets, 31
reports a second saved, and every other student's report slowed from 0.02 to
1.67 s. So every socket of one client address also draws on the address's
bucket, each token it sends and each frame after it: ADDRESS_BURST at once,
then ADDRESS_RATE a second. A frame is taken only if both buckets have a token;
a refused one spends neither. And one address's frames take turns (turn(), one
at a time), so the database work of a flood waits behind itself in Django's one
sync thread, never in front of every other student's. A frame refused for its
address's budget keeps the address's turn until its bucket holds a token again
(until_one()): a flood's refusals come at the budget's pace, not as fast as the
server can answer them, and the server's time goes to every other student. The room runs
one server process; with several, each would have its own buckets and turns.

Presence (Student.last_seen) moves with every frame, but is written at most
once every SEEN_EVERY seconds per student: a heartbeat every 20 s, or a flood,
costs the database nothing more.
"""

import asyncio
import contextlib
import time

RATE = 5.0  # frames a second, once the burst is spent
BURST = 20  # frames at once: a `--watch` reporting a run of checks, with room to spare
# One client address (an IPv6 /64), every student behind it. Thirty students starting together (a token,
# a report, a heartbeat each) spend 90 at once; then each `exercise` run is a token and a report, and a
# watch a report a save and a heartbeat every 20 s: thirty students each running a check every 15 s, or
# saving under a watch every 8 s, stay within 5 a second. A flood gets that much database work, no more.
ADDRESS_RATE = 5.0
ADDRESS_BURST = 150
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

    def has_one(self) -> bool:
        """Whether a token is left now (refilled for the time since the last look)."""
        now = clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return self.tokens >= 1

    def take(self) -> bool:
        """True, and one token fewer, if a token is left; False (nothing taken) if not."""
        return take(self)


def take(*kept: "TokenBucket | None") -> bool:
    """One token from each bucket (None: no such budget), or none from any when one is empty."""
    held = [bucket for bucket in kept if bucket is not None]
    if not all([bucket.has_one() for bucket in held]):  # a list: every bucket refilled, none skipped
        return False
    for bucket in held:
        bucket.tokens -= 1
    return True


def until_one(bucket: "TokenBucket | None") -> float:
    """Seconds until `bucket` holds a token again: 0 while it holds one (or with no such budget)."""
    if bucket is None or bucket.has_one():
        return 0.0
    return (1 - bucket.tokens) / bucket.rate


# Student ids are never reused (the tables count up), so these never mix two students.
buckets: dict[int, TokenBucket] = {}
seen_written: dict[int, float] = {}  # student id -> when their last_seen was last written (clock())


address_buckets: dict[str, TokenBucket] = {}  # client address (IPv6: its /64) -> the bucket its sockets share


def bucket_for(student_id: int) -> TokenBucket:
    """The bucket every socket of this student shares, in this process."""
    return buckets.setdefault(student_id, TokenBucket())


# This machine itself is no student's laptop: the instructor's own terminal, a room tried on one laptop
# (lesson 16: loopback is uncounted). Any other address counts, 127.0.0.2 included.
UNCOUNTED = ("127.0.0.1", "::1", "::ffff:127.0.0.1")


def address_of(scope: dict) -> str | None:
    """Whose address budget a socket draws on: the join door's name for its client; None when uncounted."""
    from workshop.join import address_of  # the join door's way of naming a client: one rule for both

    client = scope.get("client")
    # No client: a Unix socket, or a test's communicator: only the student's own bucket holds it.
    if not client or client[0] in UNCOUNTED:
        return None
    return address_of(client[0])


def address_bucket_for(address: str | None) -> TokenBucket | None:
    """The bucket every student socket of this client address shares (None: no address, no such budget)."""
    if address is None:
        return None
    if address not in address_buckets and len(address_buckets) >= 10_000:
        # A full bucket and a missing one are the same: forget the full ones, never a flooder's empty one.
        for full in [
            key for key, bucket in address_buckets.items() if bucket.has_one() and bucket.tokens >= bucket.burst
        ]:
            del address_buckets[full]
    return address_buckets.setdefault(address, TokenBucket(ADDRESS_RATE, ADDRESS_BURST))


# Frames of one address handled at once, each its turn in Django's one sync thread (lesson 02): a flooder's
# thirty sockets queue behind each other, not in front of every other student's report.
AT_ONCE = 1
turns: dict[str, list] = {}  # address -> [its semaphore, the frames holding or awaiting it]


@contextlib.asynccontextmanager
async def turn(address: str | None):
    """Wait for one of the address's AT_ONCE turns, hold it for the block (no address: no wait)."""
    if address is None:
        yield
        return
    held = turns.setdefault(address, [asyncio.Semaphore(AT_ONCE), 0])
    held[1] += 1
    try:
        async with held[0]:
            yield
    finally:
        held[1] -= 1
        if held[1] == 0:  # no frame of this address in flight: nothing to keep
            del turns[address]


def presence_due(student_id: int) -> bool:
    """True (and counted as written) if this student's last_seen was last written SEEN_EVERY s ago or more."""
    now = clock()
    if now - seen_written.get(student_id, -SEEN_EVERY) < SEEN_EVERY:
        return False
    seen_written[student_id] = now
    return True


async def pause(seconds: float) -> None:
    """Wait `seconds` holding what the caller holds (an address's turn); no wait at all for 0."""
    if seconds > 0:
        await asyncio.sleep(seconds)
