"""Lesson 16: the password guesser, and the throttle that stops it (used by auth_demo/socket_login.py).

Unthrottled, ws/auth/login/ checks about 3.2 passwords a second per socket,
and a guesser can open as many sockets as it likes. So every login attempt is
counted, before its password is checked, against two counters in Django's
cache: one for the username, one for the client's address. Each counts in a
fixed window of LOGIN_FAILURE_WINDOW seconds (lessons/settings.py). Over
either limit, the attempt is refused without checking the password; a login
that works takes its own count back, and nothing else.

The price: anyone can keep an account locked by failing to log in as it
LOGIN_FAILURES_PER_USERNAME times a window. And a fixed window lets a guesser
who times its attempts have up to twice a limit around the moment one ends.
"""

import hashlib
import ipaddress
import math
import time
import unicodedata
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

# With no CACHES setting, Django's cache is a LocMemCache: one per process. Run
# several Daphne processes (lesson 13) and a guesser gets each limit once per
# process. So lessons/settings_production.py puts the cache on Redis whenever
# REDIS_URL is set: one set of counters for every process.
CACHE_UNAVAILABLE = "logging in is unavailable for a moment, try again later"


class CacheUnavailable(Exception):
    """The counters cannot be read: the attempt is refused unchecked (fail closed), never let through."""


def clock() -> float:
    """Seconds since the epoch: the clock the windows follow (tests move it instead of waiting)."""
    return time.time()


@dataclass(frozen=True)
class Attempt:
    """One login attempt, already counted against its username and its client's address."""

    keys: tuple[str, ...]
    retry_after: int  # seconds until the window ends, if this attempt is over a limit; else 0

    async def succeeded(self) -> None:
        """Called when the password was right: take this attempt's count back, and only that."""
        # Not a reset: a guesser who owns one account could otherwise wipe out,
        # with one good login, the failures its address ran up on other names.
        try:
            await sync_to_async(uncount)(self.keys)
        except RedisError:
            pass  # Redis went away since the count: this login keeps its count, and still works


async def begin_attempt(scope: dict, username: str) -> Attempt:
    """Count a login attempt for `username` from this socket's client; say whether it may go ahead."""
    now = clock()
    window = settings.LOGIN_FAILURE_WINDOW
    number = int(now // window)
    keys = (counter_key("username", same_person(username), number), counter_key("address", address_of(scope), number))
    # Counted before the password is checked, not after a failure: otherwise a
    # guesser's hundred sockets would all pass the check at once, before any
    # failure was counted, and a hundred passwords would be hashed.
    try:
        by_username, by_address = await sync_to_async(count)(keys, window)
    except RedisError as error:
        # Redis down: a throttle that let attempts through uncounted would be
        # off exactly when no one is watching. Refuse, and say it is temporary.
        raise CacheUnavailable(CACHE_UNAVAILABLE) from error
    over = by_username > settings.LOGIN_FAILURES_PER_USERNAME or by_address > settings.LOGIN_FAILURES_PER_ADDRESS
    return Attempt(keys, math.ceil((number + 1) * window - now) if over else 0)


def same_person(username: str) -> str:
    """The username as the counter sees it: "Ada", "ADA" and "ａｄａ" are one counter."""
    # A database whose collation ignores case would let each spelling try the
    # same account: count them all as one, whatever the database does.
    return unicodedata.normalize("NFKC", username).casefold()


def address_of(scope: dict) -> str:
    """Whose counter this socket's client uses: its IPv4 address, or its IPv6 /64, from scope["client"]."""
    # Behind a proxy, Daphne's --proxy-headers puts the real client there. Without
    # it, every client is the proxy, and they all share one counter.
    client = scope.get("client")
    if not client:
        # A unix socket, or a test without one: all such clients share one counter.
        return "unknown"
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return str(client[0])
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    # Anyone with one IPv6 address usually has its whole /64: count the /64.
    return str(ipaddress.ip_network(f"{address}/64", strict=False)) if address.version == 6 else str(address)


def counter_key(kind: str, value: str, number: int) -> str:
    """The cache key of one counter in window `number` (hashed: any username makes a valid key)."""
    return f"login-attempts:{kind}:{hashlib.sha256(value.encode()).hexdigest()}:{number}"


def count(keys: tuple[str, ...], window: int) -> list[int]:
    """Add one to each counter, creating it for `window` seconds if new; the new counts."""
    # incr() and add() are atomic (a lock in LocMemCache, INCR and SET NX in
    # Redis). cache.aincr() is not: Django 5.2's is aget() then aset(), and two
    # sockets counting at once could both write 4. So the sync calls, in a thread.
    counts = []
    for key in keys:
        try:
            counts.append(cache.incr(key))
        except ValueError:  # the window's first attempt: no counter yet
            counts.append(1 if cache.add(key, 1, window) else cache.incr(key))
    return counts


def uncount(keys: tuple[str, ...]) -> None:
    """Take one back from each counter (a counter already gone has nothing to give back)."""
    for key in keys:
        try:
            cache.decr(key)
        except ValueError:
            pass
