"""Lesson 16: the budgets every database-room socket of one user or address shares.

A twin of layers_demo/flood_budgets.py (the chat's), kept line for line so
db_demo needs no other demo app; that module's docstring says how the budgets
work and what they do not cover. Here a flood would also fill the database:
ten sockets from one address got 1,000 messages a minute saved with only the
per-socket limit (db_demo/flood.py). The same settings size both: a client
gets CHAT_FLOOD_LIMIT_PER_ADDRESS on each route.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from db_demo.validation import ClientError

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
