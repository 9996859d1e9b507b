"""The task a lesson 18 socket starts, run by a worker process: counting primes, with progress.

A task is a plain function decorated with `@task`: `count_primes.aenqueue(below=N)`
stores a row (the django-tasks-db backend: a table in the project's database)
and returns at once; a worker process started with

    python manage.py db_worker

takes the row, runs the function and saves what it returns (or the exception it
raised) on the same row, so anyone can fetch the result by its id afterwards.

What happens, in order, in the worker process:

    the row is claimed           status READY -> RUNNING (saved)
    task_started (a signal)      announce_status(): group_send "task.status"
    count_primes() runs          every 5 %: group_send "task.progress" to the task's group
    it returns or raises         status -> SUCCESSFUL with the return value, or FAILED (saved)
    task_finished (a signal)     announce_finished(): group_send "task.finished"

A worker killed mid-task is found by its lease (tasks_demo/leases.py): count_primes
is @run_again, so its row goes back to READY (task_taken_back: "task.status") and
another worker counts again from the start.

The progress messages go through the channel layer: at most once, kept
nowhere. The status and the result are saved rows: a socket that was away
fetches them by id (tasks_demo/consumers.py).

Lesson: lessons/18-background-tasks.md
"""

import logging
import math

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.dispatch import receiver

from tasks_demo.framework import task, task_finished, task_started
from tasks_demo.leases import run_again, task_taken_back

logger = logging.getLogger(__name__)

STEPS = 20  # a progress message every 5 %


class GaveUp(Exception):
    """What count_primes raises when asked to fail (`fail_at`): the page's demo of a failed task."""


def task_group(task_id: str) -> str:
    """The layer group of one task's sockets: every socket that started or watches it."""
    return f"tasks-{task_id}"  # a task id is a UUID: 42 characters of a valid group name


def is_prime(n: int) -> bool:
    """Trial division: plain on purpose, so that a big N is a job worth a worker (as lesson 06's)."""
    if n < 2 or n % 2 == 0:
        return n == 2
    return all(n % d for d in range(3, math.isqrt(n) + 1, 2))


def tell_sockets(task_id: str, event: dict) -> None:
    """group_send from the worker's sync code; a layer that is down costs the message, not the task."""
    try:
        async_to_sync(get_channel_layer().group_send)(task_group(task_id), event)
    except Exception:  # Redis down or full: progress is at most once anyway, and the result is saved
        logger.warning("task %s: %s not sent, the channel layer failed", task_id, event["type"], exc_info=True)


@run_again  # idempotent: counting twice gives the same count and harms nothing (at least once, lesson 18)
@task(takes_context=True)
def count_primes(context, below: int, fail_at: int | None = None) -> dict:
    """Called in the worker: how many primes are smaller than `below`, telling the task's group as it goes.

    `fail_at` (a percentage) makes it raise GaveUp there, to show a failed task on the page.
    """
    task_id = context.task_result.id
    primes = 0
    for step in range(STEPS):
        primes += sum(1 for n in range(below * step // STEPS, below * (step + 1) // STEPS) if is_prime(n))
        percent = (step + 1) * 100 // STEPS
        if fail_at is not None and percent >= fail_at:
            raise GaveUp(f"asked to fail at {fail_at} %")
        tell_sockets(task_id, {"type": "task.progress", "id": task_id, "percent": percent})
    return {"below": below, "primes": primes}


@receiver(task_finished)  # not @task_finished.connect: that returns None, and the signal holds receivers weakly
def announce_finished(sender, task_result, **kwargs):
    """Called in the worker once the backend has saved a task's outcome (SUCCESSFUL or FAILED).

    Not from inside count_primes: its last line runs before the backend saves the
    return value, so a socket told "done" from there could fetch a row still RUNNING.
    """
    if task_result.task.module_path == count_primes.module_path:
        tell_sockets(task_result.id, {"type": "task.finished", "id": task_result.id})


@receiver([task_started, task_taken_back])
def announce_status(sender, task_result, **kwargs):
    """Called in a worker once a task's row says RUNNING (claimed) or READY again (its worker was lost).

    The page shows every status as it happens; these two travel in the message, as progress does.
    """
    if task_result.task.module_path == count_primes.module_path:
        status = {"status": str(task_result.status), "attempts": task_result.attempts}  # str: a plain one for msgpack
        tell_sockets(task_result.id, {"type": "task.status", "id": task_result.id, **status})
