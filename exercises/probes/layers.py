"""Channel layers as production has them: round trips that take time, a loop of their own, an outage."""

import asyncio
import contextvars
import itertools
from contextlib import contextmanager

from channels.layers import InMemoryChannelLayer


class LoopWatchingLayer(InMemoryChannelLayer):
    """The in-memory layer, refusing a group call made on any event loop but the server's (the one it was made on)."""

    def __init__(self, **config):
        super().__init__(**config)
        self.home_loop = asyncio.get_running_loop()  # made by the first consumer (or the check), on the server's loop

    def refuse_another_loop(self, call: str) -> None:
        if asyncio.get_running_loop() is not self.home_loop:
            raise RuntimeError(
                f"{call} ran on an event loop of its own (asyncio.run, or a loop made in a thread), not the "
                "server's: the layer's queues and Redis connections belong to the server's loop, and from "
                "synchronous code async_to_sync(...)(...) is what runs a layer call there"
            )

    async def group_send(self, group, message):
        self.refuse_another_loop("group_send")
        await super().group_send(group, message)

    async def group_discard(self, group, channel):
        self.refuse_another_loop("group_discard")
        await super().group_discard(group, channel)

    # Python's "never awaited" warning names the coroutine: name each as a student's server would.
    group_send.__qualname__ = "InMemoryChannelLayer.group_send"
    group_discard.__qualname__ = "InMemoryChannelLayer.group_discard"


# The task of the consumer whose code is running, in every task it starts (a Task copies its context): owned().
CONSUMER_TASK: contextvars.ContextVar[asyncio.Task] = contextvars.ContextVar("consumer_task")


def owned(app):
    """`app`, each consumer's task known to every task it starts: RoundTripLayer.after_its_consumer lists its discards.

    ApplicationCommunicator runs each consumer in a context of its own, so the
    variable set here is that consumer's, and a task it makes (asyncio.ensure_future,
    create_task, shield) inherits it.
    """

    async def application(scope, receive, send):
        CONSUMER_TASK.set(asyncio.current_task())
        return await app(scope, receive, send)

    return application


class RoundTripLayer(InMemoryChannelLayer):
    """The in-memory layer whose group_add and group_discard take a round trip (`add`, `discard` s), as Redis's do.

    after_its_consumer: the channels whose group_discard finished after the consumer
    that made it had ended (for consumers served with owned()). A task made for it
    and not awaited: at a shutdown the loop stops and such a task never runs. Whether
    the machine let it finish before a check looked is luck; this list is not.
    """

    def __init__(self, add: float = 0.02, discard: float = 0.05, **config):
        super().__init__(**config)
        self.add, self.discard = add, discard
        self.after_its_consumer: list[str] = []

    async def group_add(self, group, channel):
        if self.add:  # 0: no round trip, and no yield either, as the plain in-memory layer
            await asyncio.sleep(self.add)
        await super().group_add(group, channel)

    async def group_discard(self, group, channel):
        if self.discard:
            await asyncio.sleep(self.discard)
        consumer = CONSUMER_TASK.get(None)
        if consumer is not None and consumer.done():
            self.after_its_consumer.append(channel)
        await super().group_discard(group, channel)

    # Python's "never awaited" warning names the coroutine: name each as a student's server would.
    group_add.__qualname__ = "InMemoryChannelLayer.group_add"
    group_discard.__qualname__ = "InMemoryChannelLayer.group_discard"


@contextmanager
def slow_broadcasts(delay: float = 0.01):
    """The in-memory layer's group_send taking `delay` s, as a Redis round trip does: other sockets run meanwhile.

    In memory a group_send never yields, so code that judges a limit before it awaits the
    broadcast and counts after it looks right; on Redis, every other socket's message is
    judged during that await, against a count that is already stale.
    """
    from unittest import mock

    original = InMemoryChannelLayer.group_send

    async def group_send(self, group, message):
        await asyncio.sleep(delay)
        await original(self, group, message)

    with mock.patch.object(InMemoryChannelLayer, "group_send", group_send):
        yield


@contextmanager
def uneven_broadcasts(delays: tuple = (0.1, 0.05, 0.0)):
    """The in-memory layer's group_send taking round trips of uneven length, in turn: the first of each three the longest.

    On Redis each group_send is a round trip on one connection of a pool, and one
    can take longer than the next. A consumer that awaits each broadcast before
    it reads the next frame delivers one sender's messages in order whatever they
    take; one that starts each as a task and moves on (asyncio.ensure_future,
    create_task, run_coroutine_threadsafe) lets a later message overtake an earlier one.
    The steps are 50 ms apart: a busy machine would have to hold the consumer that
    long between two frames already queued for a task started and left to stay in order.
    """
    from unittest import mock

    original = InMemoryChannelLayer.group_send
    turns = itertools.cycle(delays)

    async def group_send(self, group, message):
        await asyncio.sleep(next(turns))
        await original(self, group, message)

    with mock.patch.object(InMemoryChannelLayer, "group_send", group_send):
        yield


class BroadcastsAwaited:
    """Sees each group_send that runs on after the handler that started it returned (broadcasts_awaited())."""

    def __init__(self):
        import contextvars

        self.handling = contextvars.ContextVar("handling")  # the event being handled, copied into every task it starts
        self.late: list[str] = []  # whose handler returned before its broadcast had finished ("websocket.receive's")
        self.homes: set = set()  # the task each consumer runs in: what its own __call__ awaits is awaited too

    def watched(self, consumer: type) -> type:
        """`consumer`, its dispatch() noting which event is being handled while each handler runs."""
        probe = self

        class Watched(consumer):
            async def __call__(self, scope, receive, send):
                probe.homes.add(asyncio.current_task())  # a clean-up in __call__'s finally runs here, awaited
                return await super().__call__(scope, receive, send)

            async def dispatch(self, message):
                handling = {"type": message.get("type"), "running": 0, "returned": False}
                token = probe.handling.set(handling)
                try:
                    await super().dispatch(message)
                finally:
                    probe.handling.reset(token)
                    handling["returned"] = True
                    if handling["running"] and f"{handling['type']}'s" not in probe.late:
                        probe.late.append(f"{handling['type']}'s")

        Watched.__name__ = Watched.__qualname__ = consumer.__name__
        return Watched


@contextmanager
def broadcasts_awaited(delay: float = 0.01):
    """The in-memory layer's group_send taking a round trip, and a probe that sees one left running by its handler.

    `with broadcasts_awaited() as probe:` serve `probe.watched(Consumer).as_asgi()`;
    afterwards `probe.late` names each event whose handler returned while a
    group_send it started was still running, or before that group_send began:
    one handed to a task (asyncio.ensure_future, create_task, a queue another
    task empties, run_coroutine_threadsafe without .result()). Such a broadcast
    keeps its order only by luck or by a chain of tasks, and its error (ChannelFull,
    a Redis that went away) reaches no handler: the socket stays open, and the
    message is lost without a trace.
    """
    from unittest import mock

    probe = BroadcastsAwaited()
    original = InMemoryChannelLayer.group_send

    async def group_send(self, group, message):
        handling = probe.handling.get(None)
        if handling is None and asyncio.current_task() in probe.homes:  # awaited by the consumer's own __call__
            handling = {"running": 0}
        elif handling is None or handling["returned"]:  # started by a task its handler did not wait for
            late = f"{handling['type']}'s" if handling else "it ran outside every handler, unawaited"
            if late not in probe.late:
                probe.late.append(late)
            handling = {"running": 0}
        handling["running"] += 1
        try:
            await asyncio.sleep(delay)
            await original(self, group, message)
        finally:
            handling["running"] -= 1

    with mock.patch.object(InMemoryChannelLayer, "group_send", group_send):
        yield probe
