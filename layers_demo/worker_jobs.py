"""Lesson 16: worker jobs in flight, counted per client (used by layers_demo/primes.py).

A job on ws/layers/primes/ is seconds of a worker's CPU (lesson 06). With no limit,
one anonymous socket queued 150 jobs of 9.2 s each in under a second: the worker
was that client's for twenty minutes, and everyone else's jobs waited or expired.
So a client may have WORKER_JOBS_PER_CLIENT jobs queued and unanswered at once,
counted per socket, per logged-in user and per address (the keys of
lessons/clients.py's budget_keys(), so a client's ten sockets share one allowance).
One more is answered {"error": ...}, and nothing is queued.

A job counts until its answer comes, or JOB_TIMEOUT seconds after it was queued:
a job whose socket left, or that no worker took before the layer dropped it, is
never answered and must not hold its client's place for ever. Like the budgets,
the count lives in each server process.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from layers_demo.validation import ClientError

DEFAULT_JOBS_PER_CLIENT = 2  # one running, one waiting: a client never waits on itself, nor holds the worker
JOB_TIMEOUT = 120.0  # seconds: past the layer's 60 s expiry and the longest job (MAX_BELOW, about 10 s)
WHOSE = {"socket": "this socket", "user": "your account", "address": "your address"}


class JobsInFlight:
    """The unanswered jobs of each key (a socket, a user, an address): at most `size` a key."""

    def __init__(self, size: int, timeout: float, clock: Callable[[], float] = time.monotonic):
        self.size = size
        self.timeout = timeout
        self.clock = clock
        self.jobs: dict[tuple[str, str], dict[str, float]] = {}  # key -> {job: when it stops counting}

    def start(self, keys: list[tuple[str, str]], job: str) -> None:
        """Count `job` against every key; raise ClientError, counting nothing, if one has `size` in flight."""
        now = self.clock()
        # Jobs past their timeout go, and keys with none: memory holds only clients with jobs in flight.
        self.jobs = {
            key: held for key, jobs in self.jobs.items() if (held := {j: t for j, t in jobs.items() if t > now})
        }
        for kind, key in keys:
            if len(self.jobs.get((kind, key), {})) >= self.size:
                raise ClientError(
                    f"not queued: {WHOSE[kind]} already has {self.size} jobs in flight, the most one client may "
                    "have; send another once an answer comes"
                )
        for key in keys:
            self.jobs.setdefault(key, {})[job] = now + self.timeout

    def end(self, keys: list[tuple[str, str]], job: str) -> None:
        """`job` was answered, or never queued: it no longer counts."""
        for key in keys:
            self.jobs.get(key, {}).pop(job, None)


jobs: JobsInFlight | None = None  # this process's, built from the settings on first use


def jobs_in_flight() -> JobsInFlight:
    """This process's JobsInFlight, sized by WORKER_JOBS_PER_CLIENT."""
    global jobs
    if jobs is None:
        jobs = JobsInFlight(getattr(settings, "WORKER_JOBS_PER_CLIENT", DEFAULT_JOBS_PER_CLIENT), JOB_TIMEOUT)
    return jobs


@receiver(setting_changed)
def forget_jobs(setting, **kwargs) -> None:
    """Called when a setting changes (tests do): a new size starts with no job counted."""
    global jobs
    if setting == "WORKER_JOBS_PER_CLIENT":
        jobs = None
