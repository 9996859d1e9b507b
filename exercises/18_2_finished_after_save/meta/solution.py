"""Solution 18.2: "finished" told from the task_finished signal, once the outcome is saved.

Why this way: the worker saves a task's outcome after the function returns
(or raises), then sends the framework's task_finished signal, for a success
and a failure alike. A receiver of that signal is the first code that runs
when the row already says SUCCESSFUL or FAILED; it announces only
build_report's tasks, and through tell_sockets, whose try keeps a channel
layer that is down from failing the task (the worker marks a task FAILED
when a task_finished receiver raises).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.dispatch import receiver

from tasks_demo.framework import task, task_finished

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
    return {"rows": rows, "total": total}


@receiver(task_finished)  # not @task_finished.connect: that returns None, and the signal holds receivers weakly
def announce_finished(sender, task_result, **kwargs):
    """Called in the worker once the backend has saved a task's outcome (SUCCESSFUL or FAILED)."""
    if task_result.task.func is build_report.func:
        tell_sockets(task_result.id, {"type": "report.finished", "id": task_result.id})
