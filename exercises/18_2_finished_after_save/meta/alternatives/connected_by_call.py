# The receiver connected by a plain call after its def, held strongly (weak=False) with a dispatch_uid, and the task told apart by its module path: the same moment, after the save.
"""Alternative 18.2: task_finished.connect(announce_finished, weak=False, dispatch_uid=...).

connect() called after the function is defined: the module keeps the
function under its name, and weak=False has the signal hold it too. The
dispatch_uid keeps a second import of this module from connecting a
second receiver. The task is told apart by its module path.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

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


def announce_finished(sender, task_result, **kwargs):
    """Called by the worker after it saved a task's outcome: tell the report's group, if it is a report."""
    if task_result.task.module_path == build_report.module_path:
        tell_sockets(task_result.id, {"type": "report.finished", "id": task_result.id})


task_finished.connect(announce_finished, weak=False, dispatch_uid="exercise-18-2-report-finished")
