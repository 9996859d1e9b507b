"""Exercise 18.1: Start a background task from a socket, within a budget.

StartTaskConsumer serves ws/exercises/18-1/. A frame {"below": N}, N a
whole number from 1 to 1,000,000, enqueues lesson 18's count_primes task
(tasks_demo/tasks.py) with below=N, and answers {"id": "<the task's id>"}:
the id the backend gave the task's saved row, so the page can find the
task again later ({"watch": id} in lesson 18). A worker
(`python manage.py db_worker`) runs it; this consumer never waits for it.

Anything else (not JSON, no "below", text, 2.5, true, 0, too big, a binary
frame) enqueues nothing and gets {"error": ...}; the socket stays open.

A frame costs the client nothing and a worker seconds, so each client
address (self.scope["client"][0], whatever headers the client sends) may
have at most 3 tasks in flight: enqueued, and not yet finished (SUCCESSFUL
or FAILED) in their rows. The fourth gets {"error": ...} and enqueues
nothing, until one of the three finishes. The address's sockets share it.

Edit this file, then check it:

    python manage.py exercise 18.1

The check is exercises/18_1_start_a_task/check.py; once you have tried,
`python manage.py exercise 18.1 --solution` shows where the solution is.
"""

import json

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer

from tasks_demo.tasks import count_primes  # noqa: F401 (the task to enqueue)

MAX_BELOW = 1_000_000
MAX_IN_FLIGHT = 3


class StartTaskConsumer(AsyncConsumer):
    async def websocket_connect(self, event):
        """Called when a client opens ws/exercises/18-1/."""
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame the client sends."""
        data = json.loads(event.get("text") or "null")
        # TODO: check "below", keep the client address's budget, enqueue count_primes, answer its id
        await self.send({"type": "websocket.send", "text": json.dumps({"error": f"not started: {data}"})})

    async def websocket_disconnect(self, event):
        """Called when the socket has closed."""
        raise StopConsumer()
