"""A victim's small task beside one client's flood (lesson 18): how long it waits, first in first out and fair.

One client fills its budget (MAX_IN_FLIGHT) with the biggest task ws/tasks/ takes ({"below": MAX_BELOW}); once
one worker (`manage.py db_worker`, a process) has started the first, another client asks for {"below": 10}.
Its wait is its row's finished_at less its enqueued_at. "first in, first out": every task enqueued at priority
0, as the consumer did before the fair share; "fair share": the consumer's own priority
(tasks_demo/budget.py, InFlight.priority). Both clients are TasksConsumer in this process, with addresses of
their own in the scope (on one machine every real socket would be 127.0.0.1), on the run's database and Redis.
"""

import asyncio
import subprocess
import sys
from unittest import mock

from harness.patience import COMMAND, patient, polled
from harness.servers import REPO_DIR

WORKER = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05"]
FLOOD, VICTIM = "192.0.2.1", "192.0.2.2"  # two clients (documentation addresses, RFC 5737)
# Only against a worker that died: three of the biggest tasks took 4.1 s each on an idle core, 57 s beside
# a load of 13 on 2 cores.
FINISHED = patient(1800)


async def started(client: str, below: int):
    """A ws/tasks/ socket of `client` that asked for count_primes(below): the socket, and its task's id."""
    from channels.testing import WebsocketCommunicator

    from tasks_demo.consumers import TasksConsumer

    ws = WebsocketCommunicator(TasksConsumer.as_asgi(), "/ws/tasks/")
    ws.scope["client"] = (client, 50000)
    await ws.connect()
    await ws.send_json_to({"below": below})
    frame = await ws.receive_json_from(timeout=COMMAND)
    assert "id" in frame, frame  # refused: the budget, or a bad frame
    return ws, frame["id"]


async def row_when(task_id: str, *statuses: str):
    """The task's row once its status is one of `statuses` (the worker moves it in its own time)."""
    from django_tasks_db.models import DBTaskResult

    def look():
        row = DBTaskResult.objects.get(id=task_id)
        return row if row.status in statuses else None

    row = await polled(lambda: asyncio.to_thread(look), deadline=FINISHED)
    assert row is not None, f"task {task_id} never reached {statuses}"
    return row


async def victims_wait(env: dict[str, str]) -> dict:
    """One flood, one victim, one worker: the victim's wait, and how many of the flood's tasks ran before it."""
    from tasks_demo.budget import MAX_IN_FLIGHT
    from tasks_demo.consumers import MAX_BELOW

    worker = subprocess.Popen(WORKER, cwd=REPO_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sockets = []
    try:
        flood = [await started(FLOOD, MAX_BELOW) for _ in range(MAX_IN_FLIGHT)]
        first = await row_when(flood[0][1], "RUNNING")  # the worker holds the flood's first task
        victim = await started(VICTIM, 10)
        sockets = [ws for ws, _ in [*flood, victim]]
        done = await row_when(victim[1], "SUCCESSFUL")
        ahead = [await asyncio.to_thread(row_status, task_id) for _, task_id in flood[1:]]
        biggest = await row_when(flood[0][1], "SUCCESSFUL")  # it ran before the victim in either order
    finally:
        worker.kill()  # the flood's work is of no further use: not waited for
        worker.wait()
        for ws in sockets:
            await ws.disconnect()
    return {
        "victim_wait_s": round((done.finished_at - done.enqueued_at).total_seconds(), 2),
        "flood_tasks_run_first": 1 + ahead.count("SUCCESSFUL"),
        "arrived_after_s": round((done.enqueued_at - first.started_at).total_seconds(), 2),
        "biggest_task_s": round((biggest.finished_at - biggest.started_at).total_seconds(), 2),
    }


def row_status(task_id: str) -> str:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.get(id=task_id).status


def forget_everything() -> None:
    """Between two runs: no task, no lease, no budget left over from the last (its worker was killed)."""
    from django_tasks_db.models import DBTaskResult

    from tasks_demo.budget import IN_FLIGHT
    from tasks_demo.models import WorkerLease

    DBTaskResult.objects.all().delete()
    WorkerLease.objects.all().delete()
    IN_FLIGHT.tasks.clear()


def run(env: dict[str, str]) -> dict:
    """The victim's wait first in, first out (every priority 0), then with the consumer's fair share."""
    from tasks_demo.budget import InFlight

    results = {}
    for order in ("first in, first out", "fair share"):
        forget_everything()
        if order == "fair share":
            results[order] = asyncio.run(victims_wait(env))
        else:
            with mock.patch.object(InFlight, "priority", lambda self, who: 0):  # the consumer before the fair share
                results[order] = asyncio.run(victims_wait(env))
    forget_everything()
    return results
