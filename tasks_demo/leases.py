"""A task survives its worker, or is told failed: the lease each worker renews, and the sweep that reads it.

django-tasks-db, like Django's Tasks framework, records who claimed a task
(`worker_ids`, so `attempts`) but not whether that worker still lives: kill it
mid-task (SIGKILL, the out-of-memory killer, a lost machine) and its row says
RUNNING for ever. So each worker here holds a lease (tasks_demo/models.py):

    the worker starts          its lease written, LEASE seconds long; a RUNNING row left
                               under its own id (a worker restarted with a fixed id) taken back
    every LEASE / 3 seconds    (a thread beside the tasks) its lease pushed forward, then every
                               RUNNING task whose worker's lease ran out taken back: the sweep
    the worker stops cleanly   its lease deleted: nothing of it left to sweep

Taken back means one of two things, chosen per task:

    at least once   a @run_again task (idempotent: a second run does no harm) is READY again
                    and a worker runs it again; once MAX_ATTEMPTS workers were lost under it,
                    FAILED instead (a task that kills every worker must not go round for ever)
    at most once    any other task is FAILED with WorkerLost: it may have half-run, and a
                    second run could do twice what must be done once (a payment, an e-mail)

Each is one UPDATE that holds only while the row is still the lost claim (RUNNING, the
same started_at): a worker that finished the task meanwhile keeps its outcome.

Lesson: lessons/18-background-tasks.md
"""

import logging
import os
import socket
import threading
import traceback
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import close_old_connections, connection
from django.dispatch import Signal
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from tasks_demo.framework import TaskResultStatus, task_finished
from tasks_demo.models import WorkerLease

logger = logging.getLogger(__name__)

RUN_AGAIN: set[str] = set()  # the module paths of the tasks that are safe to run twice
task_taken_back = Signal()  # sent with task_result once a lost task is READY again (the framework has no such signal)


class WorkerLost(Exception):
    """What a task is FAILED with when the worker running it is gone (its message says which, and why not again)."""


def run_again(task):
    """Mark `task` idempotent: when its worker dies, it goes back to the queue instead of being FAILED."""
    RUN_AGAIN.add(task.module_path)
    return task


def expiry(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.TASKS_WORKER_LEASE)


def take(worker_id: str) -> None:
    """Called as a worker starts, before its first claim: its lease, and its own id's leftovers taken back."""
    now = timezone.now()
    lease = {"pid": os.getpid(), "host": socket.gethostname(), "taken_at": now, "expires_at": expiry(now)}
    WorkerLease.objects.update_or_create(worker_id=worker_id, defaults=lease)
    logger.info("worker_id=%s pid=%d holds a lease, renewed every %.1f s", worker_id, os.getpid(),
                settings.TASKS_WORKER_LEASE / 3)  # fmt: skip
    sweep(now, starting=worker_id)  # this process has run nothing yet: a RUNNING row under its id is lost


def renew(worker_id: str) -> None:
    """Push this worker's lease forward; write it again if a sweep found it run out (this worker was too slow)."""
    now = timezone.now()
    if not WorkerLease.objects.filter(worker_id=worker_id).update(expires_at=expiry(now)):
        logger.warning("worker_id=%s: its lease had run out, so its task may have been taken back", worker_id)
        lease = {"pid": os.getpid(), "host": socket.gethostname(), "taken_at": now, "expires_at": expiry(now)}
        WorkerLease.objects.update_or_create(worker_id=worker_id, defaults=lease)


def sweep(now: datetime | None = None, starting: str | None = None) -> list[str]:
    """Take back every RUNNING task whose worker holds no lease now; return their ids."""
    now = now or timezone.now()
    # The rows first, then the leases: a worker takes its lease before its first claim, so any row
    # read here as RUNNING has its worker's lease written already, unless that worker is gone.
    running = list(DBTaskResult.objects.running())
    alive = WorkerLease.objects.filter(expires_at__gt=now).exclude(worker_id=starting or "")
    alive = set(alive.values_list("worker_id", flat=True))
    lost = [row for row in running if not row.worker_ids or row.worker_ids[-1] not in alive]
    for row in lost:
        take_back(row, now)
    WorkerLease.objects.filter(expires_at__lte=now).delete()  # their tasks are taken back: forget them
    return [str(row.id) for row in lost]


def take_back(row: DBTaskResult, now: datetime) -> None:
    """READY again (a @run_again task with attempts left), else FAILED with WorkerLost; then the news."""
    still_lost = DBTaskResult.objects.filter(id=row.id, status=TaskResultStatus.RUNNING, started_at=row.started_at)
    worker, attempts = (row.worker_ids or ["(none)"])[-1], len(row.worker_ids)
    if row.task_path in RUN_AGAIN and attempts < settings.TASKS_MAX_ATTEMPTS:
        if still_lost.update(status=TaskResultStatus.READY):
            logger.warning("task id=%s: worker_id=%s is gone; READY again (attempt %d of %d done)", row.id, worker,
                           attempts, settings.TASKS_MAX_ATTEMPTS)  # fmt: skip
            announce(row, task_taken_back, sender=WorkerLease)
        return
    why = "not run again: " + (
        f"{attempts} workers were lost running it" if row.task_path in RUN_AGAIN else "it is not marked @run_again"
    )
    error = WorkerLost(f"worker {worker} stopped renewing its lease while running this task; {why}")
    failed = {
        "status": TaskResultStatus.FAILED,
        "finished_at": now,
        "return_value": None,
        "exception_class_path": f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        "traceback": "".join(traceback.format_exception(error)),
    }
    if still_lost.update(**failed):
        logger.warning("task id=%s: FAILED, %s", row.id, error)
        announce(row, task_finished, sender=DatabaseBackend)  # as the worker does once it saved an outcome


def announce(row: DBTaskResult, signal: Signal, sender) -> None:
    """Send `signal` for the row as it is now saved; a task whose code this process cannot import goes untold."""
    row.refresh_from_db()
    try:
        task_result = row.task_result
    except (ImportError, SuspiciousOperation):
        logger.exception("task id=%s: taken back, but its task cannot be imported here", row.id)
        return
    signal.send(sender=sender, task_result=task_result)


class Lease:
    """One worker's lease: taken by start(), renewed by a thread of its own, given back by stop()."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.keep, name=f"lease of {worker_id}", daemon=True)

    def start(self) -> None:
        take(self.worker_id)
        self.thread.start()

    def keep(self) -> None:
        """In the lease's thread, while the worker runs tasks: renew, then sweep, every third of the lease."""
        try:
            while not self.stopped.wait(settings.TASKS_WORKER_LEASE / 3):
                close_old_connections()  # as the worker's own loop does: a connection the database dropped
                try:
                    renew(self.worker_id)
                    sweep()
                except Exception:  # a database that failed once: this thread must live, or the worker looks dead
                    logger.exception("worker_id=%s: renewing the lease failed; trying again", self.worker_id)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()
        WorkerLease.objects.filter(worker_id=self.worker_id).delete()
