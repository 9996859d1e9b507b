# An asyncio.Lock per address held from the count to the enqueue, the tasks' rows asked in one query: frames of one address are judged one at a time, so no place marker is needed.
"""Alternative 18.1: one lock per client address around "count, then enqueue".

Two frames of one address at once wait for each other at the lock: the
second counts the first's task. The rows of the address's tasks are read
in one query (django-tasks-db's DBTaskResult, through the async ORM), and
those not finished stay in the budget.
"""

import asyncio
import json
from collections import defaultdict

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from django_tasks_db.models import DBTaskResult

from tasks_demo.tasks import count_primes

MAX_BELOW = 1_000_000
MAX_IN_FLIGHT = 3
LOCKS: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
STARTED: defaultdict[str, list[str]] = defaultdict(list)  # client address -> ids of the tasks it started
FINISHED = ("SUCCESSFUL", "FAILED")


class StartTaskConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/18-1/."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: {"below": N} starts count_primes, within the address's budget."""
        try:
            below = json.loads(event["text"])["below"]
        except (KeyError, TypeError, ValueError, RecursionError):  # no text, not JSON (or too deep), no "below"
            below = None
        if isinstance(below, bool) or not isinstance(below, int) or not 0 < below <= MAX_BELOW:
            reply = {"error": f"below must be a whole number from 1 to {MAX_BELOW}"}
        else:
            reply = await self.start(self.scope["client"][0], below)
        await self.send({"type": "websocket.send", "text": json.dumps(reply)})

    async def start(self, address: str, below: int) -> dict:
        """Called with a good frame: the task's id, or an error when the address has its budget in flight."""
        async with LOCKS[address]:
            running = DBTaskResult.objects.filter(id__in=STARTED[address]).exclude(status__in=FINISHED)
            STARTED[address] = [str(task_id) async for task_id in running.values_list("id", flat=True)]
            if len(STARTED[address]) >= MAX_IN_FLIGHT:
                return {"error": "three tasks are still running: wait for one to finish"}
            result = await count_primes.aenqueue(below=below)
            STARTED[address].append(result.id)
        return {"id": result.id}

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
