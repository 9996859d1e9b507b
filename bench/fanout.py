"""Chat fan-out through real Daphne: one message to N sockets in a room.

N sockets join one room of the lesson 04 chat (`ws/chat/<room>/`). One of them
sends `{"message": ...}`; the clock stops when every one of the N sockets
(the sender included) has received it. That is one broadcast; the next starts
only after it, from the next socket in turn (so no socket hits a flood limit).
Reported per layer and N: the median and worst time until all have it,
broadcasts/s and deliveries/s (N per broadcast), and the server CPU per
delivery. The client runs on the same machine, so its own work is included.
"""

import asyncio
import json
import statistics
import time
import uuid
from dataclasses import dataclass

from bench.clients import close_sockets, ms, open_sockets
from bench.servers import Server, failure, start_daphne

CHAT_PATH = "ws/chat/{room}/"


@dataclass(frozen=True)
class Setup:
    name: str
    kind: str  # "memory", "core" or "pubsub"
    processes: int


SETUPS = (
    Setup("in-memory, 1 process", "memory", 1),
    Setup("Redis core, 1 process", "core", 1),
    Setup("Redis pub/sub, 1 process", "pubsub", 1),
    Setup("Redis core, 2 processes", "core", 2),
    Setup("Redis pub/sub, 2 processes", "pubsub", 2),
)


async def receive_message(ws, text: str) -> None:
    """Wait until `ws` receives the chat frame carrying `text`; other frames (notices) are skipped."""
    while True:
        data = json.loads(await ws.recv())
        if "error" in data:
            raise RuntimeError(f"expected the broadcast {text!r}, got an error frame {data}")
        if data.get("message") == text:
            return


async def broadcast(sender, sockets: list, text: str, timeout: float = 30) -> float:
    """Seconds from `sender` sending `text` until every socket in `sockets` has received it."""
    started = time.perf_counter()
    await sender.send(json.dumps({"message": text}))
    await asyncio.wait_for(asyncio.gather(*(receive_message(ws, text) for ws in sockets)), timeout)
    return time.perf_counter() - started


async def broadcasts(sockets: list, rounds: int, tag: str, first: int = 0) -> list[float]:
    """`rounds` broadcasts one after the other, each from the next socket in turn; their times in seconds."""
    senders = [sockets[(first + i) % len(sockets)] for i in range(rounds)]
    return [await broadcast(sender, sockets, f"{tag}-{i}") for i, sender in enumerate(senders)]


def summary(times: list[float], size: int, cpu: float) -> dict:
    """The figures one row of the table shows, from broadcast times and the servers' CPU seconds."""
    total = sum(times)
    return {
        "broadcasts": len(times),
        "median_ms": ms(statistics.median(times), 1),
        "max_ms": ms(max(times), 1),
        "broadcasts_per_s": round(len(times) / total, 1),
        "deliveries_per_s": round(len(times) * size / total),
        "server_cpu_us_per_delivery": round(cpu / (len(times) * size) * 1e6, 1),
    }


async def measure(servers: list[Server], path: str, size: int, rounds: int, warmup: int = 2) -> dict:
    """Open `size` sockets on `path`, spread over `servers` in turn, and time `rounds` broadcasts."""
    sockets = await open_sockets([servers[i % len(servers)].ws_url(path) for i in range(size)])
    try:
        tag = uuid.uuid4().hex[:8]
        await broadcasts(sockets, warmup, f"warmup-{tag}")
        cpu_before = sum(server.cpu_seconds() for server in servers)
        times = await broadcasts(sockets, rounds, tag, first=warmup)
        cpu = sum(server.cpu_seconds() for server in servers) - cpu_before
    finally:
        await close_sockets(sockets)
    return summary(times, size, cpu)


def start_servers(setup: Setup, redis_url: str, prefix: str) -> list[Server]:
    """The Daphne processes of one setup, all on the same layer (and the same Redis prefix)."""
    url = None if setup.kind == "memory" else redis_url
    servers: list[Server] = []
    try:
        for _ in range(setup.processes):
            servers.append(start_daphne("lessons.asgi", url, setup.kind, f"{prefix}-{setup.kind}"))
    except Exception:
        stop_all(servers)
        raise
    return servers


def stop_all(servers: list[Server]) -> None:
    for server in servers:
        server.stop()


def run(built, redis_url: str, redis_missing: str | None, prefix: str, quick: bool = False) -> dict:
    """Every setup at every size; rows say why when the chat or Redis is not there."""
    plan = {10: 10, 100: 10} if quick else {10: 50, 100: 30, 500: 15}
    rows = []
    for setup in SETUPS:
        base = {"setup": setup.name, "layer": setup.kind, "processes": setup.processes}
        reason = _missing(built, setup, redis_missing)
        if reason is None:
            try:
                servers = start_servers(setup, redis_url, prefix)
            except Exception as error:
                reason = failure(error)
        if reason:
            rows += [{**base, "sockets": size, "status": reason} for size in plan]
            continue
        try:
            for size, rounds in plan.items():
                path = CHAT_PATH.format(room=f"bench{uuid.uuid4().hex[:8]}")
                rows.append({**base, "sockets": size, **_attempt(servers, path, size, rounds)})
        finally:
            stop_all(servers)
    return {"rounds_per_size": plan, "rows": rows}


def _missing(built, setup: Setup, redis_missing: str | None) -> str | None:
    if not built(CHAT_PATH.format(room="lobby")):
        return "not built yet"
    if setup.kind != "memory" and redis_missing:
        return f"skipped: {redis_missing}"
    return None


def _attempt(servers: list[Server], path: str, size: int, rounds: int) -> dict:
    """One measurement, or a row saying how it failed (the other rows still run)."""
    try:
        return {"status": "ok", **asyncio.run(measure(servers, path, size, rounds))}
    except Exception as error:
        return {"status": failure(error)}
