"""`python manage.py db_worker`: django-tasks-db's worker, holding a lease while it runs (lesson 18).

The same command, options and loop as django-tasks-db's own (this one replaces it
because tasks_demo comes before django_tasks_db in INSTALLED_APPS, as daphne's
runserver replaces Django's). What it adds is tasks_demo/leases.py: the lease is
taken before the first task is claimed, renewed by a thread while tasks run, and
given back when the worker stops; the same thread takes back the tasks of workers
whose lease ran out. Its first line names its PID: the one to kill, in lesson 18's try-it.
"""

import logging
import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from tasks_demo.leases import Lease


class LeasedWorker(db_worker.Worker):
    """django-tasks-db's Worker, alive by its lease for as long as it runs."""

    def run(self) -> None:
        """Called once the command has read its options (in the reloader's child, with --reload)."""
        lease = Lease(self.worker_id)
        lease.start()
        try:
            super().run()
        finally:  # a clean stop (SIGTERM, Ctrl-C, --batch): nothing left for a sweep; SIGKILL never gets here
            lease.stop()


class Command(db_worker.Command):
    help = "Run a database background worker that holds a lease while it runs (lessons/18-background-tasks.md)"

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        leases = logging.getLogger("tasks_demo")  # its lease and what it takes back, beside the worker's own lines
        leases.setLevel(logging.getLogger("django_tasks_db").level)
        if not leases.hasHandlers():
            leases.addHandler(logging.StreamHandler(self.stdout))

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, **options) -> None:  # fmt: skip
        # django-tasks-db's handle(), with LeasedWorker for its Worker.
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LeasedWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload and not batch:  # --batch turns the reloader off, as in django-tasks-db
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # the reloader's child runs the tasks; only it handles the signals
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
