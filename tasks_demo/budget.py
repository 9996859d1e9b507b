"""Lesson 18's limit: how many tasks one client may have in flight (enqueued and not finished).

A socket that enqueues work costs a worker's time long after its frame: a loop
of {"below": 2000000} frames would queue hours of counting. So each client
(a logged-in user by account, anyone else by address, as lesson 16's budgets)
may have at most MAX_IN_FLIGHT tasks that are not finished. A task stops
counting when its saved status is SUCCESSFUL or FAILED, or FORGET_AFTER seconds
after it was enqueued: a task whose worker was killed is taken back by another
worker's sweep (tasks_demo/leases.py), but with no worker running at all nothing
sweeps, and it must not lock its owner out for ever.

Within the budget, a fair share of the queue: a client's next task is enqueued
at a lower priority for each task it has in flight already (priority()), and a
worker takes the highest priority first. So one client's flood never queues
ahead of another client's first task: that one waits for the tasks running now
and for other clients' first tasks, not for all of the flood.

What this covers: one process, like lesson 16's budgets (a dict in memory).
"""

import time
from collections.abc import Awaitable, Callable

from lessons.clients import budget_keys

MAX_IN_FLIGHT = 3
FORGET_AFTER = 600.0  # seconds: far longer than the biggest count_primes (a few seconds)


def owner(scope, socket: str) -> str:
    """Whose budget a socket spends: its account's, else its address's (an IPv6 one by its /64), else its own."""
    # lessons/clients.py, as every budget counts a client; once by full address, 20 addresses of one
    # /64 queued 60 tasks where one IPv4 address gets 3. The machine itself is no one client
    # (lesson 16): its sockets are held one by one.
    keys = budget_keys(scope)
    kind, key = keys[0] if keys else ("socket", socket)
    return f"{kind}:{key}"


class InFlight:
    """The tasks each owner has in flight: owner -> {task id: when it was enqueued}."""

    def __init__(self, limit: int = MAX_IN_FLIGHT, forget_after: float = FORGET_AFTER):
        self.limit = limit
        self.forget_after = forget_after
        self.tasks: dict[str, dict[str, float]] = {}
        self.count = 0  # places handed out, for their keys

    async def reserve(self, who: str, is_finished: Callable[[str], Awaitable[bool]]) -> str | None:
        """A place for one more of `who`'s tasks (a key to give settle()), or None when the budget is spent.

        Finished and forgotten tasks are dropped first. The place is taken before
        the task is enqueued, with no await in between: two frames at once cannot
        both take the last one.
        """
        now = time.monotonic()
        for task_id, enqueued in list(self.tasks.get(who, {}).items()):
            pending = task_id.startswith("pending-")
            if now - enqueued > self.forget_after or (not pending and await is_finished(task_id)):
                self.tasks.get(who, {}).pop(task_id, None)
        mine = self.tasks.setdefault(who, {})
        if len(mine) >= self.limit:
            return None
        self.count += 1
        place = f"pending-{self.count}"
        mine[place] = now
        return place

    def priority(self, who: str) -> int:
        """The queue priority of the task `who` has just reserved a place for: 0 for its only task in flight, -1 with
        one more ahead of it, and so on (django-tasks-db: the highest first, then the oldest)."""
        return 1 - len(self.tasks.get(who, {}))

    def settle(self, who: str, place: str, task_id: str | None) -> None:
        """The place's task was enqueued as `task_id` (None: it was not, the place is free again)."""
        mine = self.tasks.setdefault(who, {})
        enqueued = mine.pop(place, time.monotonic())
        if task_id is not None:
            mine[task_id] = enqueued
        elif not mine:
            del self.tasks[who]


# One per process, shared by every ws/tasks/ socket in it.
IN_FLIGHT = InFlight()
