"""A test the student wrote, run on consumers the check made: it ends every socket it opens (checks 09.1, 09.3)."""

import asyncio
import gc

from harness.patience import FRAME, communicators_wait


class HowItEnded:
    """Put before a correct consumer class: ENDED notes how each of its consumers ended.

    "disconnected" once it stopped by itself (StopConsumer after a disconnect), "cancelled" when a
    communicator that never disconnected was thrown away and cancelled it.
    """

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except asyncio.CancelledError:  # a communicator never disconnected is cancelled when it is thrown away
            ENDED.append("cancelled")
            raise
        ENDED.append("disconnected")


ENDED: list[str] = []  # how each consumer of a HowItEnded class came to an end


async def on_a_correct_consumer(run, correct: type) -> None:
    """`run(correct)` with the communicators waiting FRAME for what must come, not Channels' 1 s default.

    A correct consumer answers in milliseconds, but at a load average of 38 a correct test that
    waited 1 s failed its check (09.1's alternative raw_events_table.py): the verdict must not hang
    on the machine's speed. A broken consumer is run with the defaults, so a wait for what never
    comes still ends the student's test in 1 s.
    """
    with communicators_wait(FRAME):
        await run(correct)


async def your_test_disconnects_every_socket(run, correct: type) -> None:
    """`run(correct)` runs the student's test on a correct consumer (a HowItEnded): each consumer it started got a
    disconnect, none was left to be cancelled when its communicator was thrown away."""
    ENDED.clear()
    await on_a_correct_consumer(run, correct)
    gc.collect()  # a communicator your test dropped cancels its consumer now
    await asyncio.sleep(0.05)
    assert ENDED, f"your test never opened a socket to {correct.__name__}: connect a WebsocketCommunicator to it"
    cancelled = ENDED.count("cancelled")
    assert not cancelled, (
        f"{cancelled} of the {len(ENDED)} consumer(s) your test started on {correct.__name__} never got a "
        "disconnect: they were still running after your test, until the thrown-away communicator cancelled them. "
        "A test ends every socket it opened"
    )
