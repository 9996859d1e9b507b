"""Solution 18.1: start a background task from a socket, within a budget.

Why this way: aenqueue() is the async twin of enqueue(); it saves the task's
row through Django's sync thread and returns a TaskResult whose id the page
keeps. enqueue() here would run the ORM on the event loop
(SynchronousOnlyOperation), and async_to_sync around aenqueue() refuses to
run inside one. The budget is per address, held in the module (one process,
like lesson 16's), and a place is taken before the await that enqueues, so
two frames at once cannot both take the last one; a task stops counting
when its row says it is finished.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from tasks_demo.tasks import count_primes

MAX_BELOW = 1_000_000
MAX_IN_FLIGHT = 3
IN_FLIGHT: dict[str, set[str]] = {}  # client address -> ids of its tasks not known to be finished
ENQUEUEING: dict[str, int] = {}  # client address -> its places taken by frames whose task is being enqueued


class StartTaskConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/18-1/."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame: enqueue count_primes(below=N), within the address's budget, and answer its id."""
        try:
            data = json.loads(event.get("text") or "null")
        except (ValueError, RecursionError):  # not JSON, or nested too deep for json.loads
            data = None
        below = data.get("below") if isinstance(data, dict) else None
        if type(below) is not int or not 1 <= below <= MAX_BELOW:  # type(): true is an int too
            return await self.answer({"error": f'expected {{"below": N}}, N a whole number 1 to {MAX_BELOW}'})
        address = self.scope["client"][0]
        mine = IN_FLIGHT.setdefault(address, set())
        for task_id in list(mine):
            if (await count_primes.aget_result(task_id)).is_finished:
                mine.discard(task_id)
        if len(mine) + ENQUEUEING.get(address, 0) >= MAX_IN_FLIGHT:
            return await self.answer({"error": f"you have {MAX_IN_FLIGHT} tasks in flight: wait for one to finish"})
        ENQUEUEING[address] = ENQUEUEING.get(address, 0) + 1  # before the await: frames judged meanwhile count it
        try:
            result = await count_primes.aenqueue(below=below)
        finally:
            ENQUEUEING[address] -= 1
        mine.add(result.id)
        await self.answer({"id": result.id})

    async def answer(self, reply: dict):
        await self.send({"type": "websocket.send", "text": json.dumps(reply)})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed: its tasks run on, and still count."""
        raise StopConsumer()
