"""Exercise 18.2 (fix): "finished" told before the row says so.

build_report is a task (lesson 18) that a worker runs. It tells its
task's group how far it is ({"type": "report.progress", ...}) and, at the
end, that it is finished ({"type": "report.finished", "id": ...}). A page's
consumer does what lesson 18's TasksConsumer does: on "report.finished" it
reads the task's row by id and shows the result.

Users report that the page sometimes shows the report RUNNING, with no
result, and stays that way; and that a report that fails is never shown as
failed at all. The worker saves a task's outcome (SUCCESSFUL with its return
value, or FAILED) after the function has returned or raised: anything the
function itself sends is sent before that.

Fix it: "report.finished" goes out once the task's outcome is saved, for a
success and a failure alike, once per build_report task (never for another
task's), and a channel layer that is down costs the message, never the
report. Keep the progress messages as they are.

Rules (the check proves each one, and nothing else):

1. Each build_report task's group (report_group(id)) is told
   {"type": "report.finished", "id": <id>} exactly once, once its row holds
   its outcome: SUCCESSFUL with its result, or FAILED; however many reports
   one worker runs, one after another.
2. Its "report.progress" messages stay as they were, each sent while its row
   says RUNNING.
3. Another task's end (lesson 18's count_primes) is told nothing, and still
   ends SUCCESSFUL.
4. A channel layer that is down costs the messages, never the report: it
   still ends SUCCESSFUL with its result.
5. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 18.2

The check is exercises/18_2_finished_after_save/check.py; once you have tried,
`python manage.py exercise 18.2 --solution` shows where the solution is.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from tasks_demo.framework import task, task_finished  # noqa: F401 (task_finished: the framework's signal)

logger = logging.getLogger(__name__)
STEPS = 4  # a progress message every 25 %


class SourceGone(Exception):
    """What build_report raises when asked to fail (`fail`): the report's data went away."""


def report_group(task_id: str) -> str:
    return f"report-{task_id}"


def tell_sockets(task_id: str, event: dict) -> None:
    """group_send from the worker's sync code; a layer that is down costs the message, not the task."""
    try:
        async_to_sync(get_channel_layer().group_send)(report_group(task_id), event)
    except Exception:  # Redis down or full: the outcome is saved in the row anyway
        logger.warning("task %s: %s not sent, the channel layer failed", task_id, event["type"], exc_info=True)


@task(takes_context=True)
def build_report(context, rows: int, fail: bool = False) -> dict:
    """Called in the worker: add up `rows` rows, telling the task's group as it goes."""
    task_id = context.task_result.id
    total = 0
    for step in range(STEPS):
        total += sum(range(rows * step // STEPS, rows * (step + 1) // STEPS))
        if fail and step == STEPS - 1:
            raise SourceGone("the report's source went away")
        tell_sockets(task_id, {"type": "report.progress", "id": task_id, "percent": (step + 1) * 100 // STEPS})
    # TODO: the page reads the row when this arrives, and sometimes finds it still RUNNING
    tell_sockets(task_id, {"type": "report.finished", "id": task_id})
    return {"rows": rows, "total": total}
