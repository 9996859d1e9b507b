"""WebSocket clients for the benchmark, on the `websockets` library, and the statistics it reports."""

import asyncio
import math

from websockets.asyncio.client import ClientConnection, connect

from bench.common.processes import origin_of
from harness.patience import CONDITION

# Open sockets in batches: Twisted's listen backlog is 50, and a burst larger
# than that makes the kernel drop handshakes and retry them a second later.
CONNECT_BATCH = 50


async def open_socket(url: str) -> ClientConnection:
    """One client socket with the Origin a browser on the course page would send."""
    # No compression (Daphne offers none) and no keep-alive pings to disturb the timing.
    return await connect(
        url, origin=origin_of(url), compression=None, ping_interval=None, open_timeout=CONDITION, max_queue=None
    )


async def open_sockets(urls: list[str]) -> list[ClientConnection]:
    """Open one socket per URL, CONNECT_BATCH at a time, in the order given."""
    sockets: list[ClientConnection] = []
    for start in range(0, len(urls), CONNECT_BATCH):
        sockets += await asyncio.gather(*(open_socket(url) for url in urls[start : start + CONNECT_BATCH]))
    return sockets


async def close_sockets(sockets: list[ClientConnection]) -> None:
    """Close every socket, not waiting more than a few seconds for the server's answer."""
    for start in range(0, len(sockets), CONNECT_BATCH):
        batch = sockets[start : start + CONNECT_BATCH]
        await asyncio.wait_for(asyncio.gather(*(ws.close() for ws in batch), return_exceptions=True), 10)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float, digits: int = 3) -> float:
    """Seconds as milliseconds, rounded for the table."""
    return round(seconds * 1000, digits)
