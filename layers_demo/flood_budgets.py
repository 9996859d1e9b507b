"""Lesson 16: the flooder across sockets, and the budgets its sockets share (used by layers_demo/hardened_chat.py
and layers_demo/direct.py; db_demo/flood_budgets.py is its twin for the database room).

Lesson 05's flood limit (layers_demo/flood.py) is per socket: 100 messages a
minute. A client that opens ten sockets gets ten times that. So every frame
also spends a token from budgets that sockets share:

    per user      all sockets of one logged-in user (scope["user"].pk)
    per address   all sockets of one client address (an IPv6 address counted by
                  its /64), logged in or not

Whose budgets a socket spends is lessons/clients.py's budget_keys(), the one
function every budget and throttle of the course asks.

Each budget is a token bucket: it holds at most N tokens and refills N every
CHAT_FLOOD_PERIOD seconds, so a burst of N goes through at once and then N a
period. A frame is counted only if this socket's limit and every budget have
room: a refused frame costs nothing, and a client that slows down is served.

What this covers: one process. The buckets are a dict in this process's
memory; behind nginx with P Daphne processes (lesson 13), a flooder whose
sockets land on every process gets up to P times each budget. Sharing them
would take a counter in Redis, a round trip on every chat frame (the login
throttle, auth_demo/throttle.py, pays that, for a login rather than every
message). What it does not cover: a client with many addresses (a /64 is
one), the number of sockets an address may open (nginx's limit_conn), and
clients whose address is not known (no scope["client"]: a Unix socket
without --proxy-headers), which only their socket's and user's limits hold.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from layers_demo.validation import ClientError

DEFAULT_PER_USER = 200  # two sockets at the per-socket limit: more tabs than hands, and no more
DEFAULT_PER_ADDRESS = 500  # a classroom behind one NAT, each person typing fast, but not 100 sockets' worth
DEFAULT_PERIOD = 60.0  # seconds; the same CHAT_FLOOD_PERIOD as the per-socket limit
WHOSE = {"user": "your account", "address": "your address"}


class TokenBuckets:
    """One token bucket per key: each holds at most `size` tokens and refills `size` per `period` seconds."""

    def __init__(self, size: int, period: float):
        self.size = size
        self.period = period
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when); a missing key is full

    def tokens(self, key: str, now: float) -> float:
        """How many tokens `key`'s bucket holds at `now`."""
        tokens, then = self.buckets.get(key, (self.size, now))
        return min(self.size, tokens + (now - then) * self.size / self.period)

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` has a token (0: it has one now)."""
        return max(0.0, (1 - self.tokens(key, now)) * self.period / self.size)

    def take(self, key: str, now: float) -> None:
        """Spend one of `key`'s tokens (the caller has checked there is one)."""
        self.buckets[key] = (self.tokens(key, now) - 1, now)

    def evict_full(self, now: float) -> None:
        """Forget every bucket that has filled up again: missing means full, so only memory changes."""
        self.buckets = {key: bucket for key, bucket in self.buckets.items() if self.tokens(key, now) < self.size}


class SharedBudgets:
    """The budgets every chat socket of one process draws from: one per user, one per address."""

    def __init__(self, per_user: int, per_address: int, period: float, clock: Callable[[], float] = time.monotonic):
        self.kinds = {"user": TokenBuckets(per_user, period), "address": TokenBuckets(per_address, period)}
        self.period = period
        self.clock = clock
        self.next_sweep = float("-inf")  # the first check sweeps (nothing), then once a period

    def check(self, keys: list[tuple[str, str]]) -> None:
        """Raise ClientError if any of these budgets is empty; spend nothing either way."""
        now = self.clock()
        if now >= self.next_sweep:
            # Once a period: a key idle that long is full, so memory holds only
            # the users and addresses heard from in the last two periods.
            for buckets in self.kinds.values():
                buckets.evict_full(now)
            self.next_sweep = now + self.period
        for kind, key in keys:
            buckets = self.kinds[kind]
            wait = buckets.wait(key, now)
            if wait > 0:
                raise ClientError(
                    f"too many messages from {WHOSE[kind]}: at most {buckets.size} per {buckets.period:g} s "
                    f"across its sockets; this one was not sent, wait {wait:.1f} s"
                )

    def take(self, keys: list[tuple[str, str]]) -> None:
        """Spend one token from each of these budgets (after check() found room in all of them)."""
        now = self.clock()
        for kind, key in keys:
            self.kinds[kind].take(key, now)

    def remembered(self) -> int:
        """How many users and addresses this process holds a bucket for."""
        return sum(len(buckets.buckets) for buckets in self.kinds.values())


budgets: SharedBudgets | None = None  # this process's, built from the settings on first use


def shared_budgets() -> SharedBudgets:
    """This process's SharedBudgets, from CHAT_FLOOD_LIMIT_PER_USER, CHAT_FLOOD_LIMIT_PER_ADDRESS and CHAT_FLOOD_PERIOD."""
    global budgets
    if budgets is None:
        budgets = SharedBudgets(
            getattr(settings, "CHAT_FLOOD_LIMIT_PER_USER", DEFAULT_PER_USER),
            getattr(settings, "CHAT_FLOOD_LIMIT_PER_ADDRESS", DEFAULT_PER_ADDRESS),
            getattr(settings, "CHAT_FLOOD_PERIOD", DEFAULT_PERIOD),
        )
    return budgets


@receiver(setting_changed)
def forget_budgets(setting, **kwargs) -> None:
    """Called when a setting changes (tests do): new flood settings start with empty buckets."""
    global budgets
    if setting.startswith("CHAT_FLOOD_"):
        budgets = None
