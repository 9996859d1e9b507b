"""Lesson 18: a task survives its worker, or is told failed (tasks_demo/leases.py); a client's flood waits its turn.

The sweep runs here as a worker's lease thread runs it, over rows claimed by workers whose leases the test
writes: no clock moves and no process dies (test_18_background_tasks_slow.py kills a real worker by its PID).
"""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from harness.patience import FRAME
from tasks_demo import leases
from tasks_demo.budget import MAX_IN_FLIGHT
from tasks_demo.consumers import TasksConsumer
from tasks_demo.framework import task
from tasks_demo.management.commands.db_worker import LeasedWorker
from tasks_demo.models import WorkerLease
from tasks_demo.tasks import count_primes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_task_budgets")]


@task()
def send_invoice(number: int) -> int:
    """A task that must not run twice (not @run_again): a lost one is FAILED."""
    return number


@task()
def leases_held() -> list[str]:
    """The workers holding a lease while this task runs."""
    return list(WorkerLease.objects.values_list("worker_id", flat=True))


def claimed(a_task, worker_id: str, lease_left: float | None, **kwargs) -> DBTaskResult:
    """A row of `a_task` that `worker_id` claimed, its lease ending `lease_left` s from now (None: no lease)."""
    row = DBTaskResult.objects.get(id=a_task.enqueue(**kwargs).id)
    row.claim(worker_id)
    if lease_left is not None:
        now = timezone.now()
        ends = now + timedelta(seconds=lease_left)
        WorkerLease.objects.create(worker_id=worker_id, pid=1, host="here", taken_at=now, expires_at=ends)
    return row


def claim(task_id: str, worker_id: str) -> None:
    """`worker_id` claims the task, as db_worker does (and then it is killed: it holds no lease)."""
    DBTaskResult.objects.get(id=task_id).claim(worker_id)


def run_the_queue(worker_id: str = "second") -> None:
    """`manage.py db_worker --batch`, lease and all, in this thread: every task waiting run, then back."""
    options = {"queue_names": ["default"], "excluded_queue_names": [], "backend_name": "default", "max_tasks": None}
    LeasedWorker(interval=0, batch=True, startup_delay=False, worker_id=worker_id, **options).run()


def test_a_task_whose_worker_still_holds_its_lease_is_left_running():
    row = claimed(count_primes, "alive", 30, below=10)
    assert leases.sweep() == []
    assert count_primes.get_result(row.id).status == "RUNNING"


def test_a_lost_task_that_may_run_again_is_ready_again_and_the_next_worker_runs_it():
    row = claimed(count_primes, "killed", -1, below=1000)  # its lease ran out a second ago
    assert leases.sweep() == [str(row.id)]
    assert count_primes.get_result(row.id).status == "READY"
    run_the_queue()
    result = count_primes.get_result(row.id)
    assert (result.status, result.return_value) == ("SUCCESSFUL", {"below": 1000, "primes": 168})
    assert result.worker_ids == ["killed", "second"]  # two attempts: the lost one, and this one


def test_a_lost_task_that_must_not_run_twice_is_failed_with_worker_lost_and_why():
    row = claimed(send_invoice, "killed", None, number=7)  # its lease is gone altogether
    leases.sweep()
    result = send_invoice.get_result(row.id)
    assert result.status == "FAILED" and result.errors[0].exception_class_path == "tasks_demo.leases.WorkerLost"
    assert "worker killed stopped renewing its lease" in result.errors[0].traceback
    assert "not marked @run_again" in result.errors[0].traceback


@override_settings(TASKS_MAX_ATTEMPTS=2)
def test_a_task_that_lost_max_attempts_workers_is_failed_not_run_again():
    row = claimed(count_primes, "first", None, below=10)
    row.claim("second")  # READY again after "first", then claimed, and lost again
    leases.sweep()
    result = count_primes.get_result(row.id)
    assert result.status == "FAILED" and "2 workers were lost running it" in result.errors[0].traceback


def test_a_task_its_worker_finished_meanwhile_keeps_its_outcome():
    row = claimed(count_primes, "slow", -1, below=10)
    DBTaskResult.objects.get(id=row.id).set_successful({"below": 10, "primes": 4})  # after the sweep read it
    leases.take_back(row, timezone.now())
    assert count_primes.get_result(row.id).status == "SUCCESSFUL"


def test_a_worker_starting_under_a_fixed_id_takes_back_what_its_last_run_left():
    row = claimed(count_primes, "worker-1", 30, below=10)  # `db_worker --worker-id worker-1`, killed, restarted
    leases.take("worker-1")
    assert count_primes.get_result(row.id).status == "READY"


def test_a_worker_holds_its_lease_while_it_runs_and_gives_it_back_when_it_stops():
    result = leases_held.enqueue()
    run_the_queue("leaseholder")
    assert leases_held.get_result(result.id).return_value == ["leaseholder"]
    assert not WorkerLease.objects.exists()


async def tasks_socket(client: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(TasksConsumer.as_asgi(), "/ws/tasks/")
    communicator.scope["client"] = (client, 50000)
    assert (await communicator.connect())[0]
    return communicator


async def statuses(ws: WebsocketCommunicator) -> list[str]:
    """The statuses the socket is sent, up to its task's end (progress frames left out)."""
    seen = []
    while not seen or seen[-1] not in {"SUCCESSFUL", "FAILED"}:
        frame = await ws.receive_json_from(timeout=FRAME)
        seen += [frame["status"]] if "status" in frame else []
    return seen


async def test_the_page_is_told_ready_again_then_the_second_workers_running_and_the_end():
    ws = await tasks_socket("192.0.2.1")
    await ws.send_json_to({"below": 1000})
    task_id = (await ws.receive_json_from())["id"]
    await sync_to_async(claim)(task_id, "killed")
    await sync_to_async(leases.sweep)()
    await sync_to_async(run_the_queue)()
    assert await statuses(ws) == ["READY", "RUNNING", "SUCCESSFUL"]  # READY with 1 attempt, RUNNING with 2
    await ws.disconnect()


@override_settings(TASKS_MAX_ATTEMPTS=1)  # at most once: a lost task is FAILED at once
async def test_a_lost_task_is_failed_on_the_page_and_its_owner_may_start_another():
    ws = await tasks_socket("192.0.2.2")
    ids = []
    for _ in range(MAX_IN_FLIGHT):
        await ws.send_json_to({"below": 10})
        ids.append((await ws.receive_json_from())["id"])
    await sync_to_async(claim)(ids[0], "killed")
    await sync_to_async(leases.sweep)()
    assert await ws.receive_json_from() == {"id": ids[0], "status": "FAILED", "exception": "WorkerLost"}
    await ws.send_json_to({"below": 10})
    assert (await ws.receive_json_from())["status"] == "READY"  # its budget holds the 2 still waiting, and this
    await ws.disconnect()


async def test_a_clients_flood_waits_behind_another_clients_first_task():
    flood, victim = await tasks_socket("192.0.2.3"), await tasks_socket("192.0.2.4")
    ids = []
    for ws in (flood, flood, flood, victim):
        await ws.send_json_to({"below": 10})
        ids.append((await ws.receive_json_from())["id"])
    await sync_to_async(run_the_queue)()
    rows = await sync_to_async(list)(DBTaskResult.objects.filter(id__in=ids).order_by("started_at"))
    assert [ids.index(str(row.id)) for row in rows] == [0, 3, 1, 2]  # the flood's first, the victim's, the rest
    await flood.disconnect()
    await victim.disconnect()
