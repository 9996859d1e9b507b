"""Alternative 18.1, the sync WebsocketConsumer: enqueue() and get_result() in the consumer's thread, a lock per address.

Still right: a sync consumer's handlers run in Django's sync thread, off the event loop, so the plain enqueue()
and get_result() are where they belong; the lock makes "count, then enqueue" one step for an address's frames
whatever thread they arrive in. A task counts until its row says it is finished (SUCCESSFUL or FAILED), whichever
of the address's tasks that is; a socket that closes leaves its tasks counted.
"""

import json
import threading
from collections import defaultdict

from channels.generic.websocket import WebsocketConsumer

from tasks_demo.tasks import count_primes

MAX_BELOW = 1_000_000
MAX_IN_FLIGHT = 3
TASKS: defaultdict[str, list[str]] = defaultdict(list)  # client address -> ids of its tasks maybe in flight
LOCKS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


class StartTaskConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        try:
            below = json.loads(text_data)["below"] if text_data is not None else None
        except (ValueError, RecursionError, TypeError, KeyError):  # not JSON, too deep, not an object, no "below"
            below = None
        if type(below) is not int or not 1 <= below <= MAX_BELOW:
            self.send(json.dumps({"error": f'send {{"below": N}}, N a whole number from 1 to {MAX_BELOW}'}))
            return
        address = self.scope["client"][0]
        with LOCKS[address]:
            TASKS[address] = [i for i in TASKS[address] if not count_primes.get_result(i).is_finished]
            if len(TASKS[address]) >= MAX_IN_FLIGHT:
                self.send(json.dumps({"error": f"{MAX_IN_FLIGHT} of your tasks are still running: wait for one"}))
                return
            task_id = count_primes.enqueue(below=below).id  # raises if the database is down: the client knows
            TASKS[address].append(task_id)
        self.send(json.dumps({"id": task_id}))
