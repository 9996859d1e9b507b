"""Check 18.2 (fix): "report.finished" is told once the task's outcome is saved, and only for build_report.

The behaviours, in order: a report that succeeds is told finished once, after its row holds the result,
its progress as before; a report that fails is told finished once its row says FAILED; another task's end
is told nothing; a channel layer that is down costs the messages, never the report. A real worker runs the
tasks (django-tasks-db's, what `manage.py db_worker --batch` runs), in a thread of this process.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from exercises.probes import load
from exercises.probes.background_tasks import progress_kept, sends_heard, status_now
from exercises.probes.background_tasks import told_finished, worker_runs_the_queue
from tasks_demo.tasks import count_primes

RULE = 'build_report tells its group {"type": "report.finished", "id": ...} once its outcome is saved'
pytestmark = pytest.mark.django_db(transaction=True)  # the worker's thread reads the rows the check saved


def report():
    get_channel_layer()
    return load("18.2", RULE).build_report


@pytest.mark.rule(1, 2)
async def test_a_report_is_told_finished_once_its_row_holds_the_result():
    build_report = report()
    async with sends_heard() as heard:  # three reports, one worker: each told once, however many ran before it
        task_ids = [(await build_report.aenqueue(rows=rows)).id for rows in (100, 10, 40)]
        await worker_runs_the_queue("check-18-2")
    for task_id, (rows, total) in zip(task_ids, [(100, 4950), (10, 45), (40, 780)], strict=True):
        progress_kept(heard, task_id, [25, 50, 75, 100])
        told_finished(heard, task_id, "SUCCESSFUL")
        result = await build_report.aget_result(task_id)
        assert result.status == "SUCCESSFUL" and result.return_value == {"rows": rows, "total": total}, (
            f"the report's row ended {result.status}: a report that succeeds is saved SUCCESSFUL with its result"
        )


@pytest.mark.rule(1, 2)
async def test_a_report_that_fails_is_told_finished_once_its_row_says_failed():
    build_report = report()
    async with sends_heard() as heard:  # a failure between two successes: each told once, as it ended
        task_ids = [(await build_report.aenqueue(rows=100, fail=fail)).id for fail in (False, True, False)]
        await worker_runs_the_queue("check-18-2")
    progress_kept(heard, task_ids[1], [25, 50, 75])  # the last step raises
    for task_id, outcome in zip(task_ids, ["SUCCESSFUL", "FAILED", "SUCCESSFUL"], strict=True):
        told_finished(heard, task_id, outcome)


@pytest.mark.rule(3)
async def test_another_tasks_end_is_told_nothing():
    report()
    async with sends_heard() as heard:
        task_id = (await count_primes.aenqueue(below=10)).id
        await worker_runs_the_queue("check-18-2")
    ours = [h for h in heard if h["id"] == task_id and (h["type"].startswith("report.") or "report" in h["group"])]
    assert not ours, (
        f"lesson 18's count_primes task finished, and its group was sent {ours[0]['type']!r} too: the signal is sent "
        "for every task the worker runs; announce build_report's only (task_result.task.func is build_report.func)"
    )
    status = await sync_to_async(status_now)(task_id)
    assert status == "SUCCESSFUL", f"count_primes ended {status}: a receiver must not fail another task"


@pytest.mark.rule(4)
async def test_a_channel_layer_that_is_down_costs_the_messages_never_the_report():
    build_report = report()
    async with sends_heard(down=True) as heard:
        task_id = (await build_report.aenqueue(rows=100)).id
        await worker_runs_the_queue("check-18-2")
    result = await build_report.aget_result(task_id)
    error = result.errors[-1].exception_class_path.rsplit(".", 1)[-1] if result.errors else ""
    assert result.status == "SUCCESSFUL", (
        f"with the channel layer down (every group_send raised ConnectionError), the report ended {result.status} "
        f"({error}): a task_finished receiver that raises makes the worker mark the task FAILED, the result lost. "
        "The messages are at most once anyway: catch the layer's error, as tell_sockets does"
    )
    assert any(h["type"] == "report.finished" for h in heard), "no report.finished was even tried"


# The standard battery of what this exercise builds (a worker), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
