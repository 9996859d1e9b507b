"""Check 04.5's own probe: a failure inside a room of synchronous consumers ends them before it is told."""

import asyncio
import contextlib

from exercises.probes.communicators import ends_on_disconnect


@contextlib.asynccontextmanager
async def ended_if_it_fails(*communicators):
    """`async with ended_if_it_fails(alice, bob):` a failure inside first ends each socket's consumer, then is told.

    A synchronous consumer's handler runs on the process's one sync thread and sends through the event loop: one
    left mid-way when a test fails (frames still queued) waits on a loop that has ended, and holds that thread for
    good. The next test's clean-up would wait FRAME for it, and every later wait of the process for a quiet moment
    (quiet.py) would never see one. Each is disconnected here, as close_all() does, and nothing it says is told.
    """
    try:
        yield
    except BaseException:
        await asyncio.gather(
            *(ends_on_disconnect(c) for c in communicators if not c.future.done()), return_exceptions=True
        )
        raise
