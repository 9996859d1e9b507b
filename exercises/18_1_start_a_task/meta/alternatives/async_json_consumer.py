"""Alternative 18.1, the generic AsyncJsonWebsocketConsumer: receive_json() judges the frame, a Budget per address.

Still right: receive() is overridden so a binary frame, text that is not JSON, or JSON too deep to decode gets an
error frame instead of the exception the generic class raises; a Budget (a small class per client address) takes
its place before the await that enqueues and gives it back in a finally when that await raises, and a task leaves
it once its row says it is finished, whichever it is. A socket that closes leaves its tasks counted.
"""

import json
from dataclasses import dataclass, field

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from tasks_demo.tasks import count_primes

MAX_BELOW = 1_000_000
MAX_IN_FLIGHT = 3


@dataclass
class Budget:
    """One client address's tasks: the ids enqueued and not known to be finished, and the enqueues under way."""

    ids: set = field(default_factory=set)
    enqueueing: int = 0

    async def full(self) -> bool:
        for task_id in list(self.ids):
            if (await count_primes.aget_result(task_id)).is_finished:
                self.ids.discard(task_id)
        return len(self.ids) + self.enqueueing >= MAX_IN_FLIGHT


BUDGETS: dict[str, Budget] = {}


class StartTaskConsumer(AsyncJsonWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = json.loads(text_data) if text_data is not None else None
        except (ValueError, RecursionError):
            content = None
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        below = content.get("below") if isinstance(content, dict) else None
        if isinstance(below, bool) or not isinstance(below, int) or not 1 <= below <= MAX_BELOW:
            return await self.send_json({"error": f'send {{"below": N}}, a whole number from 1 to {MAX_BELOW}'})
        budget = BUDGETS.setdefault(self.scope["client"][0], Budget())
        if await budget.full():
            return await self.send_json({"error": f"{MAX_IN_FLIGHT} tasks in flight: wait for one to finish"})
        budget.enqueueing += 1  # taken before the await: a frame judged meanwhile counts it
        try:
            result = await count_primes.aenqueue(below=below)
        finally:
            budget.enqueueing -= 1
        budget.ids.add(result.id)
        await self.send_json({"id": result.id})
