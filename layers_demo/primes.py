"""A background worker: a socket hands a slow job to `runworker` and gets the answer.

Counting primes is CPU work: done inside a socket's consumer it would stall the
server's event loop, every socket with it (lesson 02). So the socket's consumer
sends the job to a named channel, and a worker process serves that channel:

    python manage.py runworker layers-primes

The root router's `channel` entry (ChannelNameRouter) gives each message on
`layers-primes` to PrimesWorker, by its "type". The events, in order:

  PrimesConsumer (one per socket, in the server process)
    websocket.connect     -> websocket.accept
    websocket.receive     -> {"below": N}: channel_layer.send("layers-primes",
                             {"type": "primes.count", "below": N, "reply_to": <our channel_name>});
                             websocket.send {"queued": N}. Bad input, a full queue, or a client
                             with WORKER_JOBS_PER_CLIENT jobs unanswered (lesson 16): {"error": ...}
    primes.result         -> (from the worker) websocket.send {"below": N, "primes": count}
    websocket.disconnect  -> StopConsumer
  PrimesWorker (one per worker process, for the channel)
    primes.count          -> count; channel_layer.send(reply_to, {"type": "primes.result", ...})

Lesson: lessons/06-outside-the-consumer.md
"""

import json
import math
import uuid

from asgiref.sync import async_to_sync
from channels.consumer import AsyncConsumer, SyncConsumer
from channels.exceptions import ChannelFull, StopConsumer

from layers_demo.validation import ClientError
from layers_demo.worker_jobs import jobs_in_flight
from lessons.clients import budget_keys

WORKER_CHANNEL = "layers-primes"
MAX_BELOW = 2_000_000  # a few seconds of work at most


def is_prime(n: int) -> bool:
    """Trial division: plain on purpose, so that a big N is a job worth a worker."""
    if n < 2 or n % 2 == 0:
        return n == 2
    return all(n % d for d in range(3, math.isqrt(n) + 1, 2))


def count_primes_below(n: int) -> int:
    """How many primes are smaller than n (1,000,000 takes a second or two)."""
    return sum(1 for k in range(n) if is_prime(k))


class PrimesConsumer(AsyncConsumer):
    """ws/layers/primes/: send {"below": N}; the worker's answer comes back on this socket."""

    async def websocket_connect(self, event):
        """Called when a client asks to open ws/layers/primes/."""
        # Whose jobs these are: this socket's, and its user's and address's (lesson 16).
        self.client_keys = [("socket", self.channel_name), *budget_keys(self.scope)]
        self.jobs: list[str] = []  # this socket's unanswered jobs, oldest first
        await self.send({"type": "websocket.accept"})

    async def websocket_receive(self, event):
        """Called for every frame the client sends."""
        text = event.get("text")
        try:
            data = json.loads(text or "null")
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            data = None
        below = data.get("below") if isinstance(data, dict) else None
        if type(below) is not int or not 0 <= below <= MAX_BELOW:  # type(): True is an int too
            got = "a binary frame" if text is None else repr(text[:40])
            error = f'expected {{"below": N}}, N a whole number 0 to {MAX_BELOW}; got {got}'
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
            return
        try:
            jobs_in_flight().start(self.client_keys, job_id := uuid.uuid4().hex)
        except ClientError as error:
            await self.send({"type": "websocket.send", "text": json.dumps({"error": str(error)})})
            return
        job = {"type": "primes.count", "below": below, "reply_to": self.channel_name}
        try:
            await self.channel_layer.send(WORKER_CHANNEL, job)
        except ChannelFull:
            # Nobody is taking jobs off the queue fast enough, or no worker runs at all.
            jobs_in_flight().end(self.client_keys, job_id)
            error = f"not queued: the {WORKER_CHANNEL} queue is full, try again later"
            await self.send({"type": "websocket.send", "text": json.dumps({"error": error})})
            return
        self.jobs.append(job_id)
        await self.send({"type": "websocket.send", "text": json.dumps({"queued": below})})

    async def primes_result(self, event):
        """Called when the worker's "primes.result" reaches this socket's channel."""
        if self.jobs:  # answers may come out of order with several workers: what counts is how many
            jobs_in_flight().end(self.client_keys, self.jobs.pop(0))
        frame = {"below": event["below"], "primes": event["primes"]}
        await self.send({"type": "websocket.send", "text": json.dumps(frame)})

    async def websocket_disconnect(self, event):
        """Called once the socket is closed; a job still queued is answered to nobody."""
        raise StopConsumer()


class PrimesWorker(SyncConsumer):
    """The `layers-primes` channel: served by `python manage.py runworker layers-primes`."""

    def primes_count(self, message):
        """Called for each "primes.count" job sent to the channel, one at a time."""
        # A SyncConsumer's handlers run in a thread, so slow work here blocks
        # nothing but this worker's next job.
        primes = count_primes_below(message["below"])
        reply = {"type": "primes.result", "below": message["below"], "primes": primes}
        async_to_sync(self.channel_layer.send)(message["reply_to"], reply)
