"""ws/tasks/: start a background task from a socket, watch its progress, and find it again by id.

The socket's consumer does no work itself: it enqueues count_primes
(tasks_demo/tasks.py) and a worker process (`python manage.py db_worker`) runs
it. The events, in order:

    websocket.connect     -> websocket.accept
    websocket.receive     -> {"below": N} (and "fail_at": P, to see a failure): aenqueue the task,
                             group_add its group, fetch its row by id -> {"id": ..., "status": ...};
                             {"watch": "<id>"}: the same without enqueueing (a page that came back).
                             Bad input, or MAX_IN_FLIGHT tasks of this client still running: {"error": ...}
    task.status           -> (from a worker: it claimed the task, or took it back from a dead worker)
                             {"id": ..., "status": "RUNNING"} (or "READY" again): the news of that moment
    task.progress         -> (from the worker, through the layer) websocket.send {"id": ..., "percent": P}
    task.finished         -> (from the worker, after it saved the outcome) fetch the row by id ->
                             {"id": ..., "status": "SUCCESSFUL", "result": {...}}
                             or {"id": ..., "status": "FAILED", "exception": "<its class name>"}
    websocket.disconnect  -> group_discard every task's group; StopConsumer. The tasks run on.

Joining the group before fetching the row means nothing is missed between the two: a task
that finished before the join is finished in the row (lesson 12's replay, by id). A frame past
its client's frame budget (tasks_demo/frames.py, lesson 16) is not read: websocket.close 4429.

Lesson: lessons/18-background-tasks.md
"""

import json
import uuid

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from tasks_demo.budget import IN_FLIGHT, MAX_IN_FLIGHT, owner
from tasks_demo.frames import FRAMES
from tasks_demo.framework import TaskResultDoesNotExist, TaskResultMismatch, TaskResultStatus
from tasks_demo.tasks import count_primes, task_group

MAX_BELOW = 2_000_000  # a few seconds of one worker's time at most
MAX_WATCHED = 20  # tasks one socket follows: each is a group membership in the layer
FINISHED = {TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED}


class ClientError(Exception):
    """Bad input from the client: its text is sent back as {"error": text}."""


def whole_number(data: dict, key: str, low: int, high: int) -> int:
    """data[key] if it is an int from low to high (not a bool), else a ClientError naming what arrived."""
    value = data.get(key)
    if type(value) is not int or not low <= value <= high:  # type(): True is an int too
        raise ClientError(f'"{key}" must be a whole number {low} to {high}; got {json.dumps(value)[:40]}')
    return value


def watched_id(value) -> str:
    """A {"watch": id} frame's id, written as the backend writes ids."""
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise ClientError(f'"watch" must be a task id; got {json.dumps(value)[:40]}') from None


def status_frame(result) -> dict:
    """What the page may see of a saved task: its id, its status, and its result or exception class.

    Never its arguments, its traceback or its exception's message: those stay in the row.
    """
    frame = {"id": result.id, "status": result.status}
    if result.status == TaskResultStatus.SUCCESSFUL:
        frame["result"] = result.return_value
    elif result.status == TaskResultStatus.FAILED:
        frame["exception"] = result.errors[-1].exception_class_path.rsplit(".", 1)[-1]
    return frame


class TasksConsumer(AsyncConsumer):
    """ws/tasks/: {"below": N} starts counting primes in a worker; {"watch": id} follows a task again."""

    async def websocket_connect(self, event):
        """Called when a client asks to open ws/tasks/."""
        self.watched = {}  # task id -> the last (status, attempts) sent for it, so each goes out once
        await self.send({"type": "websocket.accept"})
        self.client, self.cut = owner(self.scope, self.channel_name), False  # whose frame budget; closed for a flood

    async def websocket_receive(self, event):
        """Called for every frame the client sends."""
        if self.cut:
            return  # closed for a flood: what was already on its way is not read
        if not FRAMES.take(self.client):  # before the frame is read: a flood costs no parse, no row, no group
            self.cut = True
            await self.send({"type": "websocket.close", "code": 4429})
            return
        try:
            data = json.loads(event.get("text") or "null")
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            data = None
        try:
            if not isinstance(data, dict):
                raise ClientError('expected {"below": N} or {"watch": "<task id>"}')
            task_id = watched_id(data["watch"]) if "watch" in data else await self.start(data)
            await self.follow(task_id)
        except ClientError as error:
            await self.send({"type": "websocket.send", "text": json.dumps({"error": str(error)})})

    async def start(self, data: dict) -> str:
        """Enqueue count_primes for this client, within its budget; return the task's id."""
        below = whole_number(data, "below", 1, MAX_BELOW)
        fail_at = whole_number(data, "fail_at", 1, 100) if "fail_at" in data else None
        who = owner(self.scope, self.channel_name)
        place = await IN_FLIGHT.reserve(who, self.is_finished)
        if place is None:
            raise ClientError(f"you have {MAX_IN_FLIGHT} tasks running: wait for one to finish")
        result = None
        try:
            fair = count_primes.using(priority=IN_FLIGHT.priority(who))  # a fair share of the queue, lesson 18
            result = await fair.aenqueue(below=below, fail_at=fail_at)  # a row saved, then back
        finally:
            IN_FLIGHT.settle(who, place, result and result.id)
        return result.id

    async def follow(self, task_id: str):
        """Join the task's group, then send where the task stands, read from its row."""
        if task_id not in self.watched and len(self.watched) >= MAX_WATCHED:
            raise ClientError(f"this socket follows {MAX_WATCHED} tasks already")
        self.watched[task_id] = None  # asked for: its status goes out even if this socket had it
        await self.channel_layer.group_add(task_group(task_id), self.channel_name)
        await self.send_status(task_id)

    async def send_status(self, task_id: str):
        """Fetch the task's row by id and send its status, unless this socket was sent that status already."""
        try:
            result = await count_primes.aget_result(task_id)
        except (TaskResultDoesNotExist, TaskResultMismatch):
            await self.forget(task_id)
            raise ClientError(f"no task {task_id}") from None
        await self.tell(status_frame(result), result.attempts)

    async def tell(self, frame: dict, attempts: int):
        """Send a status frame, unless this socket has had it (or the task's end, that a late RUNNING would undo)."""
        sent = self.watched.get(frame["id"])
        if sent == (frame["status"], attempts) or (sent and sent[0] in FINISHED and frame["status"] not in FINISHED):
            return
        self.watched[frame["id"]] = (frame["status"], attempts)  # a second worker's RUNNING is news: attempt 2
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def is_finished(self, task_id: str) -> bool:
        """Whether the task's row says it is over (the budget asks)."""
        try:
            return (await count_primes.aget_result(task_id)).is_finished
        except (TaskResultDoesNotExist, TaskResultMismatch):
            return True

    async def task_progress(self, event):
        """Called when the worker reports progress on a task this socket follows."""
        await self.send(
            {"type": "websocket.send", "text": json.dumps({"id": event["id"], "percent": event["percent"]})}
        )

    async def task_status(self, event):
        """Called when a worker claimed a task this socket follows (RUNNING) or took it back from a dead one (READY).

        Sent as the message says, like progress: by the time this socket reads the row, it may have moved on.
        """
        await self.tell({"id": event["id"], "status": event["status"]}, event["attempts"])

    async def task_finished(self, event):
        """Called when the worker has saved a task's outcome: the outcome is read from its row, not the message."""
        await self.send_status(event["id"])

    async def forget(self, task_id: str):
        self.watched.pop(task_id, None)
        await self.channel_layer.group_discard(task_group(task_id), self.channel_name)

    async def websocket_disconnect(self, event):
        """Called once the socket is closed: it leaves every group; the tasks run on in the worker."""
        for task_id in list(self.watched):
            await self.forget(task_id)
        raise StopConsumer()
