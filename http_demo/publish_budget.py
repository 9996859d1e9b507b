"""Lesson 16's budget on POST /http/publish/ (lesson 10): how often one client may wake every waiting poll.

A publish reaches every GET /http/poll/ that waits: one logged-in account
published 500 of 500 POSTs in 5.6 s to all of them. So each publish is counted
in Django's cache, per account and per address (lessons/clients.py's
budget_keys(), as every budget counts a client), in fixed windows of
PUBLISH_WINDOW seconds, before anything is sent: past PUBLISH_LIMIT_PER_USER
for the account, or PUBLISH_LIMIT_PER_ADDRESS for the address, the answer is
429 with Retry-After, and no poll hears it.

In the cache, not in memory like the chat's budgets: a publish is one short
request, which nginx may hand to any Daphne (lesson 13), so a per-process
count would be one per process. Production puts the cache on Redis
(lessons/settings_production.py), as for the login throttle, whose counting
(auth_demo/throttle.py's count(): incr and add, atomic) this copies.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache

from lessons.clients import budget_keys

DEFAULT_PER_USER = 30  # a person publishing by hand, fast, for a whole minute
DEFAULT_PER_ADDRESS = 100  # a classroom behind one NAT, a few publishing at once
DEFAULT_WINDOW = 60  # seconds


def clock() -> float:
    """Seconds since the epoch: the windows follow it, as the cache's timeouts do (tests stop it)."""
    return time.time()


def spend(scope: dict) -> int:
    """Count one publish for this scope's client: 0 if it may go out, else the seconds until its window ends.

    RedisError if the counters cannot be read (the caller refuses the publish: fail closed).
    """
    window = getattr(settings, "PUBLISH_WINDOW", DEFAULT_WINDOW)
    limits = {
        "user": getattr(settings, "PUBLISH_LIMIT_PER_USER", DEFAULT_PER_USER),
        "address": getattr(settings, "PUBLISH_LIMIT_PER_ADDRESS", DEFAULT_PER_ADDRESS),
    }
    now = clock()
    number = int(now // window)
    over = False
    for kind, key in budget_keys(scope):
        counter = f"publish:{kind}:{key}:{number}"
        try:
            count = cache.incr(counter)
        except ValueError:  # the window's first publish: no counter yet
            count = 1 if cache.add(counter, 1, window) else cache.incr(counter)
        over = over or count > limits[kind]
    return math.ceil((number + 1) * window - now) if over else 0
