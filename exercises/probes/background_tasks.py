"""Background tasks (checks 18.1, 18.2): started from a socket within a budget, and told to their pages when done.

18.1: a socket asks for a task ({"below": N}) and is answered its id or an error; a worker runs the queue as
another process would, its signals reaching no code here. 18.2: a page hears "report.finished" and reads the
task's row, so a message sent before the row holds the outcome shows it no result: every group_send is heard
with the row's status read at that moment, and judged here.
"""

import asyncio
import itertools
import json
from contextlib import asynccontextmanager

import pytest

from exercises.probes.stores import REDIS_REFUSED
from exercises.probes.waits import frame
from exercises.probes.workers import run_the_queue


def status_now(task_id: str) -> str | None:
    """The task's row's status this moment, read in a thread of its own, as the page's consumer would read it."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    try:
        return DBTaskResult.objects.filter(id=task_id).values_list("status", flat=True).first()
    finally:
        connection.close()


@asynccontextmanager
async def sends_heard(down: bool = False):
    """Every group_send made meanwhile: its group, type, id, percent, its task's row's status as it was sent.

    The worker waits in group_send (async_to_sync), so the row is read before it saves more: no race. down=True:
    each group_send raises as a Redis that is down does. A send made on an event loop of its own (asyncio.run in
    the worker) is heard but never delivered, and fails the test as it leaves.
    """
    from channels.layers import InMemoryChannelLayer

    home, heard, original = asyncio.get_running_loop(), [], InMemoryChannelLayer.group_send

    async def group_send(self, group, message):
        task_id = message.get("id")
        status = await asyncio.to_thread(status_now, task_id) if isinstance(task_id, str) else None
        mine = asyncio.get_running_loop() is home
        heard.append(
            {"group": group, "type": message.get("type"), "id": task_id, "percent": message.get("percent"),
             "status": status, "home": mine}
        )  # fmt: skip
        if down:
            raise ConnectionError(REDIS_REFUSED)
        if mine:  # an event loop of its own has no business with the server's queues
            await original(self, group, message)

    InMemoryChannelLayer.group_send = group_send
    try:
        yield heard
    finally:
        InMemoryChannelLayer.group_send = original
    away = [h["type"] for h in heard if not h["home"]]
    assert not away, (
        f"a {away[0]!r} group_send ran on an event loop of its own (asyncio.run, or a loop made in the worker), not "
        "the one the layer belongs to: from the worker's sync code, async_to_sync(layer.group_send)(...) runs it"
    )


async def worker_runs_the_queue(worker_id: str) -> None:
    """A worker runs every task waiting, in a thread of its own (the page's reads stay free), then returns."""
    from asgiref.sync import sync_to_async

    try:
        await sync_to_async(run_the_queue, thread_sensitive=False)(worker_id)
    except Exception as error:
        pytest.fail(
            f"the worker itself crashed with {type(error).__name__}: {error}. A task_finished receiver is called "
            "with keywords (sender=..., task_result=...): def announce(sender, task_result, **kwargs); when one "
            "raises, the worker marks the task FAILED and sends the signal again, and then it raises out of the worker",
            pytrace=False,
        )


def progress_kept(heard: list, task_id: str, percents: list[int]) -> None:
    """The task's "report.progress" messages were `percents`, each sent while its row said RUNNING."""
    progress = [(h["percent"], h["status"]) for h in heard if h["id"] == task_id and h["type"] == "report.progress"]
    expected = [(percent, "RUNNING") for percent in percents]
    assert repr(progress) == repr(expected), (  # repr: 25.0 is not 25 to a page that prints it
        f"the progress messages must stay as they were: expected {expected}, got {progress}"
    )


def told_finished(heard: list, task_id: str, outcome: str) -> None:
    """The task's group was told "report.finished" exactly once, and its row said `outcome` by then."""
    finished = [h for h in heard if h["id"] == task_id and h["type"] == "report.finished"]
    assert finished, (
        f'no "report.finished" reached the group of a report that ended {outcome}: its page waits for ever. A '
        "receiver of the framework's task_finished signal runs once the outcome is saved, if it stays connected "
        "(a lambda or a function made inside another is held weakly, and collected at once) and if its group_send "
        "really runs (from sync code, through async_to_sync)"
    )
    assert len(finished) == 1, f'"report.finished" was sent {len(finished)} times for one report: tell it once'
    told = finished[0]
    assert told["status"] == outcome, (
        f'"report.finished" was sent while the task\'s row said {told["status"]}, not {outcome}: the page reads the '
        "row when it hears it, shows no result, and waits for ever. The worker saves the outcome after the "
        "function has returned or raised, and only then sends the framework's task_finished signal"
    )
    assert told["group"] == f"report-{task_id}", f"it went to the group {told['group']!r}: send it with tell_sockets"


async def worker_elsewhere(worker_id: str) -> None:
    """A worker runs every task waiting, as db_worker does in a process of its own: its signals reach no code here."""
    from unittest import mock

    from asgiref.sync import sync_to_async

    from tasks_demo.framework import task_finished

    with mock.patch.object(task_finished, "receivers", []):
        await sync_to_async(run_the_queue)(worker_id)  # in Django's sync thread, as the check's own queries


def addresses(first: str = "198.51.100.{}"):
    """addresses()(): a new client address each call, one that no earlier test's tasks count against (18.1)."""
    return map(first.format, itertools.count(1)).__next__


async def asked(communicator, below: int) -> object:
    """Send {"below": below} (18.1): the answer that comes on the same socket, or NOTHING."""
    await communicator.send_to(text_data=json.dumps({"below": below}))
    return await frame(communicator)


def an_id(got: object) -> bool:
    """`got` is an answer {"id": ...}: a task was started."""
    return isinstance(got, dict) and "id" in got


async def started(communicator, below: int) -> str:
    """Send {"below": below}: the answer must be {"id": ...}, the id of a saved count_primes row asking for it (18.1)."""
    from tasks_demo.tasks import count_primes

    got = await asked(communicator, below)
    assert isinstance(got, dict) and isinstance(got.get("id"), str) and "error" not in got, (
        f'{{"below": {below}}} must be answered {{"id": "<the task\'s id>"}} on its own socket, got {got}'
    )
    result = await count_primes.aget_result(got["id"])
    assert result.kwargs.get("below") == below and result.status == "READY", (
        f"the id you sent names a task with {result.kwargs} ({result.status}): enqueue count_primes(below={below}) "
        "with aenqueue() and answer with the id of the TaskResult it returns"
    )
    return got["id"]


def refused(got: object, sent: str, why: str) -> None:
    """`got`, the answer to what was `sent`, is {"error": "<why>"}: the frame was refused, and `why` (18.1)."""
    assert isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"], (
        f'{sent} must get {{"error": "<why>"}} on its own socket, got {got}: {why}'
    )


async def worker_moves(task_id: str, to: str) -> None:
    """A worker elsewhere claims the task's row (RUNNING), or marks it "SUCCESSFUL" (18.1), as db_worker saves it."""
    from asgiref.sync import sync_to_async
    from django_tasks_db.models import DBTaskResult

    def move() -> None:
        row = DBTaskResult.objects.get(id=task_id)
        if row.status == "READY":
            row.claim("check-18-1")
        if to == "SUCCESSFUL":
            row.set_successful(0)

    await sync_to_async(move)()
