"""Django's one sync thread, held by the test itself (lessons 02 and 05).

A slow `SyncConsumer` handler (`ws/sync/slow/`'s `time.sleep`) holds the
process's one thread-sensitive sync thread for as long as it runs. Holding it
with an event instead of a sleep lets a test say "while the thread is busy"
and "once it is free" exactly, with no guess at how long is long enough.
"""

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async

from harness.patience import FRAME, polled


@contextlib.asynccontextmanager
async def sync_thread_held() -> AsyncIterator[None]:
    """Inside the block, the sync thread is busy, as under a slow sync handler; after it, free again."""
    busy, release = threading.Event(), threading.Event()

    def hold() -> None:
        busy.set()
        release.wait(timeout=10)  # a failing test must not keep the thread for ever

    holder = asyncio.create_task(sync_to_async(hold)())  # thread_sensitive=True: the one sync thread
    # The thread is busy with something else: fail, do not hang.
    assert await polled(busy.is_set, FRAME, every=0.001), "the one sync thread never ran the holder"
    try:
        yield
    finally:
        release.set()
        await holder
