"""The cost of the teaching code: the course's chat consumer against a bare relay.

One Daphne serves bench/common/asgi.py: the course routes plus `ws/bench/relay/<room>/`
(bench/common/consumers.py, a relay with no JSON, no validation, no error frames).
N sockets join a course chat room, N others a relay room and N more a relay
room whose consumer skips the sync-thread hop in dispatch, on that same server
and layer. All three rooms then get the same broadcasts, in alternating
blocks so that any drift of the machine hits both alike. The figure that
matters is the server's CPU time per delivery (read from /proc): the course
consumer, whose dispatch skips the sync-thread hop (lesson 05), should cost at
most GOAL times the relay that skips it too (like for like); its ratio to the
stock relay is reported beside it. The ratio reported is
the median over pairs of neighbouring blocks, so a burst of load from another
program spoils one pair, not the figure.
"""

import asyncio
import statistics
import uuid

from bench.common.clients import close_sockets, open_sockets
from bench.common.processes import failure, start_daphne
from bench.speed.fanout import CHAT_PATH, broadcasts, summary

RELAY_PATH = "ws/bench/relay/{room}/"
HOP_FREE_PATH = "ws/bench/hop-free-relay/{room}/"
GOAL = 1.2  # course CPU per delivery / hop-free bare relay CPU per delivery
SIZE = 100


async def timed_block(server, sockets: list, rounds: int, first: int) -> tuple[list[float], float]:
    """`rounds` broadcasts to `sockets`; their times and the server CPU seconds they used."""
    before = server.cpu_seconds()
    times = await broadcasts(sockets, rounds, f"cost-{uuid.uuid4().hex[:8]}", first)
    return times, server.cpu_seconds() - before


async def compare(server, size: int, rounds: int, blocks: int) -> dict:
    """Alternate blocks of broadcasts between a course chat room and a bare relay room.

    Returns each side's summary over all its blocks, and the course/relay CPU
    ratio of each pair of neighbouring blocks.
    """
    paths = {"course": CHAT_PATH, "relay": RELAY_PATH, "hop_free": HOP_FREE_PATH}
    # A room of its own per side: both relays name their groups "relay-<room>".
    rooms = {name: f"bench{uuid.uuid4().hex[:8]}" for name in paths}
    sides = {
        name: await open_sockets([server.ws_url(path.format(room=rooms[name]))] * size) for name, path in paths.items()
    }
    times: dict[str, list[float]] = {name: [] for name in sides}
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    try:
        for sockets in sides.values():
            await broadcasts(sockets, 3, f"warmup-{uuid.uuid4().hex[:8]}")
        for block in range(blocks):
            for name, sockets in sides.items():
                # Each block starts at the next sender, so every socket sends about equally often.
                block_times, block_cpu = await timed_block(server, sockets, rounds, first=3 + block * rounds)
                times[name] += block_times
                cpu[name].append(block_cpu)
    finally:
        await close_sockets([ws for sockets in sides.values() for ws in sockets])
    pair_ratios = [course / relay for course, relay in zip(cpu["course"], cpu["relay"], strict=True)]
    hop_free_ratios = [free / relay for free, relay in zip(cpu["hop_free"], cpu["relay"], strict=True)]
    like_ratios = [course / free for course, free in zip(cpu["course"], cpu["hop_free"], strict=True)]
    return {
        **{name: summary(times[name], size, sum(cpu[name])) for name in sides},
        "pair_ratios": [round(ratio, 3) for ratio in pair_ratios],
        "hop_free_pair_ratios": [round(ratio, 3) for ratio in hop_free_ratios],
        "like_for_like_pair_ratios": [round(ratio, 3) for ratio in like_ratios],
    }


def run(redis_url: str, redis_missing: str | None, prefix: str, quick: bool = False) -> dict:
    """Course vs bare relay on each layer at SIZE sockets; the CPU ratio against GOAL."""
    rounds, blocks = (5, 4) if quick else (10, 15)  # short blocks: drift hits both sides alike
    rows = []
    for kind in ("memory", "core"):
        row = {"layer": kind, "sockets": SIZE}
        if kind == "core" and redis_missing:
            rows.append({**row, "status": f"skipped: {redis_missing}"})
            continue
        server = None
        try:
            server = start_daphne("bench.common.asgi", None if kind == "memory" else redis_url, kind, f"{prefix}-cost")
            sides = asyncio.run(compare(server, SIZE, rounds, blocks))
        except Exception as error:
            rows.append({**row, "status": failure(error)})
            continue
        finally:
            if server is not None:
                server.stop()
        ratio = statistics.median(sides["pair_ratios"])
        hop_free = round(statistics.median(sides["hop_free_pair_ratios"]), 2)
        like = statistics.median(sides["like_for_like_pair_ratios"])
        row.update(
            status="ok",
            cpu_ratio=round(ratio, 2),
            like_for_like_cpu_ratio=round(like, 2),
            within_goal=like <= GOAL,
            hop_free_cpu_ratio=hop_free,
        )
        rows.append({**row, **sides})
    return {"goal": GOAL, "broadcasts_per_side": rounds * blocks, "rows": rows}
