"""Lesson 15: the cells a run measured for the guarantees table (bench/guarantees/table.py renders it).

Each test of tests/test_15/test_guarantees*.py records its cell here and compares
it with the committed table; with WRITE_GUARANTEES=1 the run's end writes the
cells it measured into bench/guarantees/table.json and bench/guarantees/table.md.
"""

import asyncio
import os

from bench.guarantees import table as guarantees
from harness.patience import FRAME

WRITE = os.environ.get("WRITE_GUARANTEES", "") == "1"


class Measured:
    """The cells measured in this run, {property: {layer: cell}}."""

    def __init__(self):
        self.cells: dict[str, dict[str, str]] = {}
        self.seconds: dict[str, dict[str, float]] = {}

    def record(self, key: str, layer: str, cell: str) -> str:
        """Keep `cell` as the measured value of `key` on `layer`; return it."""
        self.cells.setdefault(key, {})[layer] = cell
        return cell

    def record_seconds(self, key: str, layer: str, seconds: float) -> None:
        """Keep a time this run measured for `key` on `layer`: written beside the table, never compared."""
        self.seconds.setdefault(key, {})[layer] = round(seconds, 2)

    def committed(self, key: str, layer: str) -> str:
        """What the committed table says for `key` on `layer`."""
        return guarantees.committed().get(key, {}).get(layer, "not measured")

    def write_if_asked(self) -> None:
        if WRITE and self.cells:
            guarantees.write(self.cells, self.seconds)


MEASURED = Measured()


async def ready(channel_layer, channel: str) -> dict:
    """Return the first message `channel` receives, probing it until one arrives; then empty it.

    Until a receive has begun, a message may not reach a channel at all (pub/sub
    subscribes, the PostgreSQL layer takes a lock and starts listening, both on
    the first receive). A marker sent last and read back leaves it empty.
    """
    receiving = asyncio.ensure_future(channel_layer.receive(channel))
    patience = 0.002  # a lost probe is sent again soon, then less and less often (up to 0.05 s)
    try:
        async with asyncio.timeout(FRAME):
            while not receiving.done():
                await channel_layer.send(channel, {"type": "probe"})
                await asyncio.wait([receiving], timeout=patience)
                patience = min(2 * patience, 0.05)
            await channel_layer.send(channel, {"type": "marker"})
            while (await channel_layer.receive(channel))["type"] != "marker":
                pass
    finally:
        receiving.cancel()  # nothing if it is done; else no receive is left behind to eat a later message
    return receiving.result()


async def next_message(channel_layer, channel: str) -> dict:
    """The next message on `channel`."""
    return await asyncio.wait_for(channel_layer.receive(channel), FRAME)
