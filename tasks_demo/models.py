"""Lesson 18's one table: the lease each running worker holds, and renews, while it runs.

django-tasks-db's row says which worker claimed a task (its `worker_ids`), not
whether that worker is still alive: a worker killed mid-task leaves its row
RUNNING for ever (RealOrangeOne/django-tasks-db#5). A lease answers that. Each
worker writes its row here when it starts and pushes `expires_at` forward
while it runs (tasks_demo/leases.py); a worker whose lease ran out is gone, and
the tasks it held are taken back by a worker that is not.
"""

from django.db import models


class WorkerLease(models.Model):
    """A worker that says it is alive until `expires_at`."""

    worker_id = models.CharField(max_length=64, primary_key=True)  # db_worker's --worker-id (64 at most)
    pid = models.PositiveIntegerField()  # for the operator: `kill` this one, not every worker on the machine
    host = models.CharField(max_length=255)
    taken_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} (pid {self.pid} on {self.host}) until {self.expires_at:%H:%M:%S}"
