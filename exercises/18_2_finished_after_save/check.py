"""Check 18.2 (fix): "report.finished" is told once the task's outcome is saved, and only for build_report.

The behaviours, in order: a report that succeeds is told finished once, after its row holds the result,
its progress as before; a report that fails is told finished once its row says FAILED; another task's end
is told nothing; a channel layer that is down costs the messages, never the report. A real worker runs the
tasks (django-tasks-db's, what `manage.py db_worker --batch` runs), in a thread of this process.
"""

import asyncio
from contextlib import asynccontextmanager

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import connection
from django_tasks_db.models import DBTaskResult

from exercises.probes import load, run_the_queue
from tasks_demo.tasks import count_primes

RULE = 'build_report tells its group {"type": "report.finished", "id": ...} once its outcome is saved'
pytestmark = pytest.mark.django_db(transaction=True)  # the worker's thread reads the rows the check saved
SAVED = ("SUCCESSFUL", "FAILED")


def report():
    get_channel_layer()
    return load("18.2", RULE).build_report


def status_now(task_id: str) -> str | None:
    """The task's row's status this moment, read in a thread of its own, as the page's consumer would read it."""
    try:
        return DBTaskResult.objects.filter(id=task_id).values_list("status", flat=True).first()
    finally:
        connection.close()


@asynccontextmanager
async def sends_heard(down: bool = False):
    """Every group_send made meanwhile: its group, type, id, and what its task's row said as it was sent.

    The worker waits in group_send (async_to_sync), so the row is read before it saves more: no race.
    """
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
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
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


async def worker_runs_the_queue() -> None:
    """A worker runs every task waiting, in a thread of its own (the page's reads stay free), then returns."""
    try:
        await sync_to_async(run_the_queue, thread_sensitive=False)("check-18-2")
    except Exception as error:
        pytest.fail(
            f"the worker itself crashed with {type(error).__name__}: {error}. A task_finished receiver is called "
            "with keywords (sender=..., task_result=...): def announce(sender, task_result, **kwargs); when one "
            "raises, the worker marks the task FAILED and sends the signal again, and then it raises out of the worker",
            pytrace=False,
        )


def progress_kept(heard: list, task_id: str, percents: list[int]) -> None:
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


async def test_a_report_is_told_finished_once_its_row_holds_the_result():
    build_report = report()
    async with sends_heard() as heard:
        task_id = (await build_report.aenqueue(rows=100)).id
        await worker_runs_the_queue()
    progress_kept(heard, task_id, [25, 50, 75, 100])
    told_finished(heard, task_id, "SUCCESSFUL")
    result = await build_report.aget_result(task_id)
    assert result.status == "SUCCESSFUL" and result.return_value == {"rows": 100, "total": 4950}, (
        f"the report's row ended {result.status}: a report that succeeds is saved SUCCESSFUL with its result"
    )


async def test_a_report_that_fails_is_told_finished_once_its_row_says_failed():
    build_report = report()
    async with sends_heard() as heard:
        task_id = (await build_report.aenqueue(rows=100, fail=True)).id
        await worker_runs_the_queue()
    progress_kept(heard, task_id, [25, 50, 75])  # the last step raises
    told_finished(heard, task_id, "FAILED")


async def test_another_tasks_end_is_told_nothing():
    report()
    async with sends_heard() as heard:
        task_id = (await count_primes.aenqueue(below=10)).id
        await worker_runs_the_queue()
    ours = [h for h in heard if h["id"] == task_id and (h["type"].startswith("report.") or "report" in h["group"])]
    assert not ours, (
        f"lesson 18's count_primes task finished, and its group was sent {ours[0]['type']!r} too: the signal is sent "
        "for every task the worker runs; announce build_report's only (task_result.task.func is build_report.func)"
    )
    status = await sync_to_async(status_now)(task_id)
    assert status == "SUCCESSFUL", f"count_primes ended {status}: a receiver must not fail another task"


async def test_a_channel_layer_that_is_down_costs_the_messages_never_the_report():
    build_report = report()
    async with sends_heard(down=True) as heard:
        task_id = (await build_report.aenqueue(rows=100)).id
        await worker_runs_the_queue()
    result = await build_report.aget_result(task_id)
    error = result.errors[-1].exception_class_path.rsplit(".", 1)[-1] if result.errors else ""
    assert result.status == "SUCCESSFUL", (
        f"with the channel layer down (every group_send raised ConnectionError), the report ended {result.status} "
        f"({error}): a task_finished receiver that raises makes the worker mark the task FAILED, the result lost. "
        "The messages are at most once anyway: catch the layer's error, as tell_sockets does"
    )
    assert any(h["type"] == "report.finished" for h in heard), "no report.finished was even tried"
