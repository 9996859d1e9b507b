"""Alternative 18.2, a receiver object: an Announcer instance, callable, held strongly by the signal (weak=False).

Still right: the instance is made once at import and connected with weak=False and a dispatch_uid, so neither the
garbage collector nor a second import changes what is connected; its __call__ runs once the worker has saved the
outcome. It knows its task by name and module, and tells through tell_sockets, which a layer that is down cannot
make raise.
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


class Announcer:
    """Tells the group of each `task`'s run that it finished: connected to task_finished, called after the save."""

    def __init__(self, task):
        self.task = task

    def __call__(self, sender, task_result, **kwargs):
        theirs = task_result.task
        if (theirs.module_path, theirs.name) == (self.task.module_path, self.task.name):
            tell_sockets(task_result.id, {"type": "report.finished", "id": task_result.id})


task_finished.connect(Announcer(build_report), weak=False, dispatch_uid="exercise-18-2-announcer")
