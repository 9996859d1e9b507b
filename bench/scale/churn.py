"""Lesson 14, churn: what sockets that come and go leave behind in the course chat's channel layer.

Measured: connect -> join a room -> leave cycles on the course chat
(`ws/chat/<room>/`, layers_demo/hardened_chat.py) served by a real Daphne, per
layer (in-memory, Redis core, Redis pub/sub) and per way of leaving:

    clean     the client closes with a close frame and waits for the server's
    drop      the client's TCP connection vanishes: no close frame, an RST
    mid-send  the client says something to its room, sends a close frame and
              vanishes (RST) while the server is sending it and its neighbours
              that broadcast: a send to a closing socket raises, and no
              websocket.disconnect follows (django/channels#1466)

Each cycle's handshake completes before it leaves, so each cycle joined its
room; CONCURRENCY cycles run at once, over ROOMS rooms. Reported per row:
cycles/s, the server's RSS after a warm-up and its growth per 1,000 cycles,
the group members left in the layer once the server has settled (Redis core:
ZCARD of the room's sorted set in Redis; in-memory and pub/sub: the groups the
process holds, read through the bench-only route `ws/bench/layer-state/`,
bench/common/consumers.py), and the layer's per-channel state: the in-memory layer's
`channels` queues, the core layer's `receive_buffer` (an orphan there is
django/channels_redis#426), pub/sub's queues and Redis subscriptions. Sends
that raised on a closing socket are counted from Daphne's log ("Exception
inside application: Attempt to send on a closed protocol"): each is one
consumer that never heard websocket.disconnect, so only the chat's own
`finally` took it out of its room.

Why: a leak that one leave costs a few bytes or one stale member is invisible
in a test and fatal after a week of reconnecting phones. The course's chat must
leave 0 members behind on every layer, however its sockets go.

    .venv/bin/python -c 'import asyncio, bench.scale.churn as c; print(c.render(asyncio.run(c.measure(True))))'

(`make bench-scale` runs it with the other lesson 14 sections, bench/scale/run.py.)
Loopback only; every Daphne is stopped by PID; Redis keys go under a prefix of
this run's own and are deleted afterwards.
"""

import asyncio
import contextlib
import json
import os
import socket
import struct
import time
import uuid
from pathlib import Path

import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import WebSocketException

from bench.common.clients import open_socket
from bench.common.processes import Server, failure, start_daphne, why_redis_is_missing
from harness.patience import CONDITION
from harness.servers import delete_prefixed_keys

TITLE = "Churn"
MODES = ("clean", "drop", "mid-send")
LAYERS = (("in-memory", "memory"), ("Redis core", "core"), ("Redis pub/sub", "pubsub"))
# 20,000 cycles in all, within the section's ~90 s on 2 cores (a cycle costs
# Daphne a handshake, the auth middleware's session lookup and a join). The
# in-memory layer is the cheapest; mid-send also pays a broadcast per cycle.
FULL_CYCLES = {
    "memory": {"clean": 2500, "drop": 2500, "mid-send": 2000},
    "core": {"clean": 2500, "drop": 2500, "mid-send": 2000},
    "pubsub": {"clean": 2000, "drop": 2000, "mid-send": 2000},
}
SMALL_CYCLES = {"clean": 30, "drop": 30, "mid-send": 30}
# The in-memory layer's clean cycles once more at the end: a leak grows in every row, while
# a server's memory rising to its working size (the first row's growth) does not come back.
AGAIN = "clean, again"
WARMUP = {True: 10, False: 200}  # cycles per mode before the first RSS reading: imports, caches, pools
CONCURRENCY = 50  # Twisted's listen backlog is 50 (bench/common/clients.py)
ROOMS = 10  # so about 5 sockets share a room at any moment
# Daphne cancels an application still running 10 s after its socket went
# (--application-close-timeout): wait past that before counting what is left.
SETTLE_SECONDS = 12
MID_SEND_PAUSE = 0.02  # seconds between a mid-send client's close frame and its RST
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
APP_ERROR = "Exception inside application"  # Daphne logs each application that raised
RAISED_SEND = f"{APP_ERROR}: Attempt to send on a closed protocol"


def room(rooms: str, n: int) -> str:
    """Cycle n's room among the ROOMS rooms of one set ("clean", "warmup-drop", ...)."""
    return f"churn-{rooms}-{n % ROOMS}"


def rss_kib(pid: int) -> int:
    """The process's resident set size now, in KiB (VmRSS in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def abortive(ws: ClientConnection) -> None:
    """Make every close of the client's TCP connection an RST: linger on, for 0 seconds."""
    sock = ws.transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


async def cycle(url: str, mode: str) -> None:
    """One socket: connect (the chat joins it to its room before accepting), then leave the `mode` way."""
    ws = await open_socket(url)
    try:
        await leave(ws, mode)
    finally:
        ws.transport.abort()  # a cycle cut short by its deadline leaves no socket for the garbage collector


async def leave(ws: ClientConnection, mode: str) -> None:
    """Leave the `mode` way: a clean close, a dropped connection, or a close frame then a drop mid-send."""
    if mode == "clean":
        await ws.close()
        return
    abortive(ws)
    if mode == "mid-send":
        # The server broadcasts this to the room, this socket included, while
        # the close frame below puts the server's side of it into "closing".
        await ws.send(json.dumps({"message": "bye"}))
        ws.protocol.send_close(1001)
        for data in ws.protocol.data_to_send():
            ws.transport.write(data)
        # Daphne drops a send to a socket it knows is gone; a send to one that
        # is only closing raises. An RST right after the close frame ends both
        # at once, and the server never sees "closing" (measured: 0 raised
        # sends in 300 cycles without this pause).
        await asyncio.sleep(MID_SEND_PAUSE)
    ws.transport.abort()  # no close frame (drop), no waiting for the server's (mid-send)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ws.wait_closed(), 5)


async def run_cycles(server: Server, mode: str, count: int, rooms: str) -> list[str]:
    """`count` cycles leaving the `mode` way, CONCURRENCY at a time; the errors of those that failed."""
    numbers = iter(range(count))  # shared by the workers: each takes the next number
    errors: list[str] = []

    async def worker() -> None:
        for n in numbers:
            try:
                await asyncio.wait_for(cycle(server.ws_url(f"ws/chat/{room(rooms, n)}/"), mode), CONDITION)
            except (OSError, WebSocketException, TimeoutError) as error:
                errors.append(f"{type(error).__name__}: {error}")

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return errors


class Layer:
    """Reads what one server's layer holds: group members, per-channel state, Redis's side."""

    def __init__(self, server: Server, kind: str, prefix: str):
        self.server = server
        self.kind = kind
        self.prefix = prefix
        self.redis = aioredis.Redis.from_url(REDIS_URL) if kind != "memory" else None

    async def process_state(self) -> dict:
        ws = await open_socket(self.server.ws_url("ws/bench/layer-state/"))
        try:
            # The answer queues behind the teardown of the row's last sockets: a slow machine's deadline.
            return json.loads(await asyncio.wait_for(ws.recv(), CONDITION))
        finally:
            await ws.close()

    async def members(self, rooms: str, state: dict) -> int:
        """Channels still in the rooms of the set `rooms`."""
        groups = [f"chat-{room(rooms, n)}" for n in range(ROOMS)]
        if self.kind == "core":  # groups live in Redis: a sorted set each
            return sum([await self.redis.zcard(f"{self.prefix}:group:{group}") for group in groups])
        return sum(state["groups"].get(self.group_name(group), 0) for group in groups)

    def group_name(self, group: str) -> str:
        # Pub/sub keeps a group under the name of the Redis channel it subscribes to.
        return f"{self.prefix}__group__{group}" if self.kind == "pubsub" else group

    async def redis_state(self) -> dict:
        """Redis's side: channel keys with undelivered messages (core), subscriptions (pub/sub)."""
        if self.kind == "core":
            keys = [key async for key in self.redis.scan_iter(match=f"{self.prefix}*", count=1000)]
            return {"redis_channel_keys": sum(b":group:" not in key for key in keys)}
        if self.kind == "pubsub":
            return {"redis_subscriptions": len(await self.redis.pubsub_channels(f"{self.prefix}*"))}
        return {}

    async def settle(self, rooms: str) -> dict:
        """Wait until no member is left in the rooms of the set `rooms` and the process's layer stops
        changing (at most SETTLE_SECONDS); the members left then, and what the layer holds per channel."""
        deadline = time.monotonic() + SETTLE_SECONDS
        previous = None
        while True:
            state = await self.process_state()
            left = await self.members(rooms, state)
            if (left == 0 and state == previous) or time.monotonic() > deadline:
                break
            previous = state
            await asyncio.sleep(0.2)
        state.pop("groups", None)
        return {"members_left": left, **state, **(await self.redis_state())}

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


async def measure_layer(kind: str, small: bool) -> list[dict]:
    """Every leave mode on one fresh Daphne on layer `kind`; one row per mode."""
    prefix = f"bench-churn-{uuid.uuid4().hex[:8]}"
    server = start_daphne("bench.common.asgi", None if kind == "memory" else REDIS_URL, kind, prefix)
    layer = Layer(server, kind, prefix)
    rows = []
    try:
        for mode in MODES:  # every leave path once, so the first row does not pay for first use
            await run_cycles(server, mode, WARMUP[small], f"warmup-{mode}")
            held = await layer.settle(f"warmup-{mode}")
        await asyncio.sleep(1.1)  # the warm-up's raised sends reach Daphne's log before the first row counts
        rss = warm = rss_kib(server.pid)
        log = server.log()
        raised, crashed = log.count(RAISED_SEND), log.count(APP_ERROR)
        for label in (*MODES, AGAIN) if kind == "memory" else MODES:
            mode, rooms = label.split(",")[0], label.replace(", ", "-")  # room names take no commas
            count = SMALL_CYCLES[mode] if small else FULL_CYCLES[kind][mode]
            started = time.perf_counter()
            errors = await run_cycles(server, mode, count, rooms)
            elapsed = time.perf_counter() - started
            now = await layer.settle(rooms)
            after = rss_kib(server.pid)
            await asyncio.sleep(1.1)  # Daphne logs an application's exception on its next 1 s check
            log = server.log()
            raised_now, crashed_now = log.count(RAISED_SEND), log.count(APP_ERROR)
            rows.append(
                {
                    "mode": label,
                    "cycles": count,
                    "failed": len(errors),
                    "first_error": errors[0] if errors else None,
                    "cycles_per_s": round((count - len(errors)) / elapsed),
                    "rss_warm_mib": round(warm / 1024, 1),
                    "rss_after_mib": round(after / 1024, 1),
                    "rss_kib_per_1000": round((after - rss) / count * 1000),
                    "sends_raised": raised_now - raised,
                    "other_app_errors": (crashed_now - crashed) - (raised_now - raised),
                    "members_left": now.pop("members_left"),
                    # What this row added to the layer's per-channel state (the rows share one server).
                    **{key: value - held.get(key, 0) for key, value in now.items()},
                }
            )
            rss, raised, crashed, held = after, raised_now, crashed_now, now
    finally:
        await layer.close()
        server.stop()
        if kind != "memory":
            delete_prefixed_keys(REDIS_URL, prefix)
    return rows


async def measure(small: bool) -> dict:
    """The whole section: every layer Redis allows here, every leave mode. JSON-able."""
    started = time.perf_counter()
    layers = []
    for name, kind in LAYERS:
        entry: dict = {"layer": name, "kind": kind}
        missing = None if kind == "memory" else why_redis_is_missing(REDIS_URL)
        if missing:
            entry["skipped"] = missing
        else:
            try:
                entry["rows"] = await measure_layer(kind, small)
            except Exception as error:  # one layer failing leaves the others' rows
                entry["failed"] = failure(error)
        layers.append(entry)
    return {
        "small": small,
        "concurrency": CONCURRENCY,
        "rooms": ROOMS,
        "cycles": sum(row["cycles"] for entry in layers for row in entry.get("rows", ())),
        "seconds": round(time.perf_counter() - started, 1),
        "layers": layers,
    }


def channel_state(row: dict) -> str:
    """The per-channel state a row's layer still holds, in words for the table."""
    parts = []
    for key, words in (("channels", "queues"), ("receive_buffers", "receive buffers")):
        if key in row:
            empty = f"{row['empty']} empty, " if "empty" in row else ""
            parts.append(f"{row[key]} {words} ({empty}{row['queued']} messages)")
    for key, words in (
        ("subscriptions", "subscriptions"),
        ("redis_channel_keys", "Redis channel keys"),
        ("redis_subscriptions", "Redis subscriptions"),
    ):
        if key in row:
            parts.append(f"{row[key]} {words}")
    return ", ".join(parts)


def render(result: dict) -> list[str]:
    """The section as markdown: a heading, a short paragraph, one table."""
    lines = [
        f"## {TITLE}",
        "",
        f"{result['cycles']:,} connect → join → leave cycles on the course chat (`ws/chat/<room>/`), "
        f"{result['concurrency']} at a time over {result['rooms']} rooms, one fresh Daphne per layer, "
        f"in {result['seconds']} s. *clean*: close frame; *drop*: the TCP connection vanishes (RST); "
        "*mid-send*: the client says bye and vanishes while the room's broadcast is being sent to it. "
        "*Members left* is counted in the layer once the server settles: it must be 0. *Sends raised*: "
        "sends to a closing socket that raised (django/channels#1466; no websocket.disconnect follows). "
        "*Per-channel state added*: what the row left in the layer besides groups (in-memory: queues, dropped "
        "once their messages expire; core: receive buffers, never dropped, django/channels_redis#426; "
        "pub/sub: a queue and a Redis subscription per channel, never dropped, django/channels_redis#276). "
        "*RSS growth*: each layer's first row pays a one-time rise to the server's working size (the "
        "allocator's arenas and caches at 50 sockets at once), paid once; the in-memory layer's last row, the "
        "same clean cycles again, grows a fraction as much. A leak would grow as much in every row.",
        "",
        "| layer | leave | cycles | cycles/s | RSS warm MiB | RSS growth KiB/1,000 | members left "
        "| sends raised | per-channel state added |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for entry in result["layers"]:
        if "rows" not in entry:
            why = entry.get("skipped") or entry.get("failed")
            lines.append(f"| {entry['layer']} | {why} | | | | | | | |")
            continue
        for row in entry["rows"]:
            failed = f" ({row['failed']} failed)" if row["failed"] else ""
            lines.append(
                f"| {entry['layer']} | {row['mode']} | {row['cycles']:,}{failed} | {row['cycles_per_s']:,} "
                f"| {row['rss_warm_mib']} | {row['rss_kib_per_1000']:+,} | {row['members_left']} "
                f"| {row['sends_raised']} | {channel_state(row)} |"
            )
    return lines


if __name__ == "__main__":
    print("\n".join(render(asyncio.run(measure(small=False)))))
