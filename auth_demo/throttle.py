"""Lesson 16: the password guesser, and the throttle that stops it (used by auth_demo/socket_login.py).

Unthrottled, ws/auth/login/ checks about 3.2 passwords a second per socket,
and a guesser can open as many sockets as it likes. So every login attempt is
counted, before its password is checked, against two counters in Django's
cache: one for the username, one for the client's address. Each counts in a
fixed window of LOGIN_FAILURE_WINDOW seconds (lessons/settings.py). Over
either limit, the attempt is refused without checking the password; a login
that works takes its own count back, and nothing else.

The same counters hold every other door a password opens, over HTTP:
auth_demo/password_doors.py counts the login forms, the password-change forms
and the reset form with check_attempt() below. One lock for every door: five
wrong passwords for "ada" at the admin lock her socket login too. Whose
address is counted is lessons/clients.py's client_address(), as for every
budget (an IPv6 client by its /64; the machine itself uncounted).

The price: anyone can keep an account locked by failing to log in as it
LOGIN_FAILURES_PER_USERNAME times a window. And a fixed window lets a guesser
who times its attempts have up to twice a limit around the moment one ends.
"""

import hashlib
import math
import time
import unicodedata
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from lessons.clients import client_address

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
    try:
        return await sync_to_async(check_attempt)("username", same_person(username), client_address(scope))
    except RedisError as error:
        # Redis down: a throttle that let attempts through uncounted would be
        # off exactly when no one is watching. Refuse, and say it is temporary.
        raise CacheUnavailable(CACHE_UNAVAILABLE) from error


def check_attempt(kind: str, name: str, address: str | None) -> Attempt:
    """Count one attempt against `name` (a username, or the address a reset asks for) and the client's address.

    `address` None (the machine itself, or no address at all) counts against the name alone. RedisError
    if the counters cannot be read: every caller refuses the attempt then, unchecked.
    """
    now = clock()
    window = settings.LOGIN_FAILURE_WINDOW
    number = int(now // window)
    keys = (counter_key(kind, name, number),)
    if address is not None and settings.LOGIN_NAME_COUNTED_PER_ADDRESS:
        # The workshop room (lesson 17): a student who fails five times as the instructor's name would
        # otherwise lock the instructor out of every door. A guesser still meets both limits.
        keys = (counter_key(f"{kind}-at-address", f"{name}\n{address}", number),)
    if address is not None:
        keys += (counter_key("address", address, number),)
    # Counted before the password is checked, not after a failure: otherwise a
    # guesser's hundred sockets would all pass the check at once, before any
    # failure was counted, and a hundred passwords would be hashed.
    by_name, *by_address = count(keys, window)
    over = by_name > settings.LOGIN_FAILURES_PER_USERNAME or any(
        n > settings.LOGIN_FAILURES_PER_ADDRESS for n in by_address
    )
    return Attempt(keys, math.ceil((number + 1) * window - now) if over else 0)


def same_person(username: str) -> str:
    """The username as the counter sees it: "Ada", "ADA" and "ａｄａ" are one counter."""
    # A database whose collation ignores case would let each spelling try the
    # same account: count them all as one, whatever the database does.
    return unicodedata.normalize("NFKC", username).casefold()


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
