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

Rules (the check proves each one, and nothing else):

1. {"below": N}, N a JSON whole number from 1 to 1,000,000, enqueues
   count_primes(below=N) and answers {"id": <its saved row's id>} on its
   own socket only; the enqueue never blocks the event loop (await
   count_primes.aenqueue(...)).
2. Any other frame (not JSON, no "below", text, 2.5, true, 0, too big, a
   binary frame) gets {"error": ...} on its own socket, enqueues nothing,
   spends no budget, never crashes the consumer, and the socket stays open.
3. A client address (scope["client"][0], whatever headers it sends) has at
   most 3 tasks in flight across all its sockets; one more gets
   {"error": ...} and enqueues nothing. Frames sent at the same moment
   never start more than the budget.
4. A task is in flight while its row is READY or RUNNING; once its row says
   SUCCESSFUL or FAILED it gives its place back, whichever of the address's
   tasks finishes first (a worker runs them in any order). Ask the row: the
   worker is another process.
5. An enqueue that fails (aenqueue() raises) is told to the client (an
   error frame, or the error let through) and gives its place back.
6. On websocket.disconnect the consumer ends; its tasks run on and still
   count, so a socket that reconnects and asks again gets no fresh budget.
7. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
