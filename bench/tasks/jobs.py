"""The tasks bench/tasks/run.py gives the worker beside lesson 18's count_primes: one that does nothing,
and one that times its progress messages."""

import time

from tasks_demo.framework import task
from tasks_demo.tasks import tell_sockets

TIMED = 1000  # the timed messages' "percent" starts here: count_primes' own run from 5 to 100


@task()
def nothing() -> None:
    """Returns at once: what the framework and the worker cost a task, and nothing else."""


@task()
def timed_progress(target: str, count: int, gap: float) -> list[float]:
    """Send `count` progress messages to task `target`'s group, `gap` seconds apart, as count_primes does.

    Returns the time.time() of each send, so the socket that received them can tell how long each took.
    """
    sent = []
    for n in range(count):
        sent.append(time.time())
        tell_sockets(target, {"type": "task.progress", "id": target, "percent": TIMED + n})
        time.sleep(gap)
    return sent
