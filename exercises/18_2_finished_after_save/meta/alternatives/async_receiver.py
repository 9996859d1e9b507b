"""Alternative 18.2, an async receiver: Django runs it from the worker's sync send, and it awaits group_send itself.

Still right: task_finished is sent after the outcome is saved; a receiver written `async def` is called by the
signal through async_to_sync, so its `await layer.group_send(...)` runs on an event loop as tell_sockets' does.
It catches the layer's errors itself (a receiver that raises makes the worker mark the task FAILED), and it tells
only build_report's tasks apart by their function.
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


@receiver(task_finished, dispatch_uid="exercise-18-2-async-receiver")
async def announce_finished(sender, task_result, **kwargs):
    """Awaited in the worker once the backend has saved a task's outcome; a report's group hears of it."""
    if task_result.task.func is not build_report.func:
        return
    try:
        await get_channel_layer().group_send(
            report_group(task_result.id), {"type": "report.finished", "id": task_result.id}
        )
    except Exception:  # Redis down or full: the outcome is in the row anyway
        logger.warning("task %s: report.finished not sent, the channel layer failed", task_result.id, exc_info=True)
