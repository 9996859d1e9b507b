"""The channel layer between sync and async code: sync callers (06.2, 06.3) and a worker read on its channels (06.1).

Lesson 06's checks read what a layer carries without a consumer (a channel of their own, a
reply channel), make the layer slow or full as Redis can be, call sync code as a view does,
and serve a worker on its channel as `runworker` does. Check 15.2 reads a post on a channel of its own
with received_on() too.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from asgiref.sync import sync_to_async
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import ApplicationCommunicator

from exercises.probes.loading import imported_afresh, load
from exercises.probes.outages import serve_layer
from exercises.probes.waits import crashed, frame, or_settled, until
from harness.patience import FRAME

# --- 06.2: a sync caller's layer message, read without a consumer ---

# What waiting() and received_on() say of a message that never came, once nothing is left that could send it.
NOTHING_LEFT = "nothing, and nothing left running could still send it"


async def waiting(channel: str, wait: float) -> dict | str:
    """The layer message queued for `channel` (read without blocking), or a sentence that starts "nothing".

    The wait ends when the message comes, or as soon as nothing in this process is left that could
    still send it (quiet.py's settled(): a coroutine never run, a message sent to another group), or
    after `wait` seconds; the sentence says which. A send still under way (a thread of its own) keeps it waiting.
    """
    layer = get_channel_layer()

    def queued() -> bool:
        queue = layer.channels.get(channel)
        return queue is not None and not queue.empty()

    quiet = await until(or_settled(queued), wait)
    if queued():
        return layer.channels[channel].get_nowait()[1]
    return NOTHING_LEFT if quiet else f"nothing within {wait:g} s"


def called_as_a_view(exercise: str, rule: str, function: str):
    """`function` of the file under check, called as a view would: synchronous code in a thread of its own.

    The file is imported afresh at each call, as a server process whose CHANNEL_LAYERS are this test's
    imports it: a layer fetched once at import (channel_layer = get_channel_layer() at module
    level, as Channels' docs and many projects write it) is then the layer this test chose.
    In a real server that is right: the process builds its layer once and every consumer shares it.
    """

    async def call(*args) -> object:
        return await sync_to_async(getattr(imported_afresh(exercise, rule), function))(*args)

    return call


class FullLayer(InMemoryChannelLayer):
    """An in-memory layer whose group_send fails, as a full Redis queue does."""

    async def group_send(self, group, message):
        raise ChannelFull(f"group {group} is over capacity")


# --- 06.3: an alarm's group_send, slow or held as on a busy Redis ---


class SlowLayer(InMemoryChannelLayer):
    """group_send takes 0.25 s, as on a busy Redis, or, with hold_for set, until that many are under way at once.

    Waiting on it shows: a stall of 250 ms, or sends that never reach hold_for at once because they
    wait in line on a pool. A group_send run on a loop other than the one the layer was made on (the
    server's) is counted in foreign_loops, for the check to tell after any stall it caused.
    """

    hold_for = under_way = most = foreign_loops = 0

    def __init__(self, **config):
        super().__init__(**config)
        self.home_loop = asyncio.get_running_loop()  # made by the check or a consumer: on the server's loop

    async def group_send(self, group, message):
        self.foreign_loops += asyncio.get_running_loop() is not self.home_loop
        self.under_way += 1
        self.most = max(self.most, self.under_way)
        await (until(lambda: self.most >= self.hold_for) if self.hold_for else asyncio.sleep(0.25))
        self.under_way -= 1
        await super().group_send(group, message)


@pytest.fixture
def slow_layer(settings):
    """A fresh SlowLayer as the default layer, whatever REDIS_URL says: 0.25 s per group_send, so a wait shows."""
    serve_layer(settings, SlowLayer)


@contextmanager
def default_pool(threads: int):
    """The running loop's default pool of threads made `threads` wide (what thread_sensitive=False runs on).

    As on a server of few cores (min(32, cores + 4)): a check can then tell sends that wait in line on
    the pool from sends under way at once. Shut down without waiting, pass or fail, its calls still in line
    cancelled, and the loop's own pool put back: a loop ending waits for its default pool's threads (five
    minutes, Python 3.12's asyncio.Runner), and a thread still in line for a held send would keep it there.
    """
    loop = asyncio.get_running_loop()
    before = loop._default_executor  # None until the loop first needs one
    pool = ThreadPoolExecutor(max_workers=threads)
    loop.set_default_executor(pool)
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        loop._default_executor = before


def waiting_in_line(pool: ThreadPoolExecutor, layer) -> bool:
    """True once every thread of `pool` holds a send under way and more calls wait for a thread: a line, for good."""
    return layer.under_way >= pool._max_workers and pool._work_queue.qsize() > 0


def alarm(text: str) -> dict:
    """The layer message an alarm puts in a room's group: a chat.message, as the chat's handler reads it, from alarm."""
    return {"type": "chat.message", "message": text, "sender": "alarm"}


async def sounded(console, room: str) -> None:
    """The console's answer to its frame must be {"sounded": room}."""
    assert (got := await frame(console)) == {"sounded": room}, (
        f'expected {{"sounded": "{room}"}} on its socket, got {got}'
    )


# --- 06.1: a worker consumer served on its channel, its answers read on reply channels ---


async def worker(exercise: str, rule: str, consumer: str, channel: str) -> tuple:
    """`consumer` of the file under check served on `channel` (as `runworker` serves it), the layer, a reply channel."""
    layer = get_channel_layer()  # built before any stall monitor starts
    app = getattr(load(exercise, rule), consumer).as_asgi()
    return ApplicationCommunicator(app, {"type": "channel", "channel": channel}), layer, await layer.new_channel()


async def received_on(layer, channel: str, wait: float = FRAME) -> object:
    """The next message on `channel`, or a sentence that starts "nothing": FRAME for an answer that must come.

    The wait ends when the message comes, or as soon as nothing in this process is left that could
    still send one (quiet.py's settled(): the worker waits for its next job, or has ended), or after
    `wait` seconds; the sentence says which.
    """
    receiving = asyncio.ensure_future(layer.receive(channel))
    quiet = await until(or_settled(receiving.done), wait)
    if receiving.done():
        return receiving.result()
    receiving.cancel()  # what it had not taken stays on the channel
    await asyncio.gather(receiving, return_exceptions=True)
    return NOTHING_LEFT if quiet else f"nothing within {wait:g} s"


async def answers_to(running, layer, reply_to: str, numbers) -> dict:
    """Square jobs for `numbers`, one at a time, each answer read on `reply_to`: {n: answer}, up to one that ends it."""
    got = {}
    for n in numbers:
        await running.send_input({"type": "square.job", "n": n, "reply_to": reply_to})
        got[n] = await received_on(layer, reply_to)
        if running.future.done():
            break
    return got


def survived(running, job: str, advice: str, said: bool = True) -> None:
    """The worker still runs after `job`; else the check fails: `job` ended it, with what (or a return), and `advice`.

    A worker that ends serves nobody after it: an exception let out of a handler ends it, and so
    does a StopConsumer raised, which a consumer for a socket may do but a worker never should.
    `said`: the exception's own words follow its name (not for ChannelFull, whose words are a channel's name).
    """
    future = running.future
    if future.done() and not future.cancelled():
        error = future.exception()
        how = "a return" if error is None else type(error).__name__ + (f": {error}" if said and str(error) else "")
        pytest.fail(f"{job} ended the worker with {how}. {advice}", pytrace=False)


async def stop(running) -> None:
    """End the worker, as the server does at shutdown; a worker that had crashed fails the check, saying with what."""
    future = running.future
    if future.done() and not future.cancelled() and future.exception() is not None:
        pytest.fail(crashed(future.exception()), pytrace=False)
    future.cancel()
    await asyncio.gather(future, return_exceptions=True)


async def full_channel(layer) -> str:
    """A new channel filled to the layer's capacity: a client that left with answers unread; it takes no more."""
    channel = await layer.new_channel()
    for _ in range(layer.capacity):
        await layer.send(channel, {"type": "square.done", "result": 0})
    return channel


def square_error(got: object) -> object:
    """The error text of a {"type": "square.error", "error": ...} answer, or None for any other answer."""
    return got.get("error") if isinstance(got, dict) and got.get("type") == "square.error" else None
