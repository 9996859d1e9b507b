"""How long a thread has waited for a core: Linux's schedstat, which a check reads to give a busy machine's time back.

Each thread's /proc/.../schedstat holds the nanoseconds it has run and the
nanoseconds it has sat ready to run with no core free. A check that times the
code under check (never_blocks(), exercises/probes/loop.py; OwnTime,
exercises/probes/waits.py) takes the second off, so that a machine busy with
other work never changes a verdict.
"""

import os
import time


def stamp() -> tuple[float, float]:
    """(now, the seconds this thread has waited for a core so far): Linux's schedstat, or 0 where it cannot be read."""
    try:
        with open("/proc/thread-self/schedstat", encoding="ascii") as schedstat:
            waited = int(schedstat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        waited = 0.0
    return time.monotonic(), waited


def others_waited(skip: set[int]) -> dict[str, float]:
    """Each thread of this process but those in `skip` (native ids): the seconds it has waited for a core so far."""
    waited = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return waited
    for tid in tids:
        if int(tid) in skip:
            continue
        try:
            with open(f"/proc/self/task/{tid}/schedstat", encoding="ascii") as schedstat:
                waited[tid] = int(schedstat.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            pass  # a thread that has just ended
    return waited
