"""Chat fan-out through real Daphne: one message to N sockets in a room.

N sockets join one room of the lesson 04 chat (`ws/chat/<room>/`). One of them
sends `{"message": ...}`; the clock stops when every one of the N sockets
(the sender included) has received it. That is one broadcast; the next starts
only after it, from the next socket in turn (so no socket hits a flood limit).
Reported per layer and N: the median and worst time until all have it,
broadcasts/s and deliveries/s (N per broadcast), and the server CPU per
delivery. The client runs on the same machine, so its own work is included.

Lesson 15's layers too: the core layer sharded over two private
redis-servers, and channels_postgres on a database this run creates on the
PostgreSQL at POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)
and drops afterwards.
"""

import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from bench.common.clients import close_sockets, ms, open_sockets
from bench.common.processes import Server, failure, start_daphne
from harness.patience import CONDITION
from harness.servers import REPO_DIR, PrivateRedis, daphne_env

CHAT_PATH = "ws/chat/{room}/"


@dataclass(frozen=True)
class Setup:
    name: str
    kind: str  # "memory", "core", "pubsub", "sharded" or "postgres"
    processes: int


SETUPS = (
    Setup("in-memory, 1 process", "memory", 1),
    Setup("Redis core, 1 process", "core", 1),
    Setup("Redis pub/sub, 1 process", "pubsub", 1),
    Setup("PostgreSQL, 1 process", "postgres", 1),
    Setup("Redis core, 2 processes", "core", 2),
    Setup("Redis core sharded over 2 servers, 2 processes", "sharded", 2),
    Setup("Redis pub/sub, 2 processes", "pubsub", 2),
    Setup("PostgreSQL, 2 processes", "postgres", 2),
)
POSTGRES_SERVER_URL = os.environ.get("POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/test"


async def receive_message(ws, text: str) -> None:
    """Wait until `ws` receives the chat frame carrying `text`; other frames (notices) are skipped."""
    while True:
        data = json.loads(await ws.recv())
        if "error" in data:
            raise RuntimeError(f"expected the broadcast {text!r}, got an error frame {data}")
        if data.get("message") == text:
            return


async def broadcast(sender, sockets: list, text: str, timeout: float = CONDITION) -> float:
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


def start_servers(setup: Setup, url: str | None, prefix: str) -> list[Server]:
    """The Daphne processes of one setup, all on the same layer (and the same Redis prefix)."""
    kind = "core" if setup.kind == "sharded" else setup.kind
    servers: list[Server] = []
    try:
        for _ in range(setup.processes):
            servers.append(start_daphne("lessons.asgi", url, kind, f"{prefix}-{setup.kind}"))
    except Exception:
        stop_all(servers)
        raise
    return servers


@contextlib.contextmanager
def layer_store(kind: str, redis_url: str) -> Iterator[str | None]:
    """The layer URL a setup's Daphnes get: Redis's, two private Redises', or a PostgreSQL database of this run's."""
    if kind == "memory":
        yield None
    elif kind == "sharded":
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server not found; install it: `sudo apt-get install redis-server`")
        stores = [PrivateRedis(executable), PrivateRedis(executable)]
        try:
            yield ",".join(store.url for store in stores)
        finally:
            for store in stores:
                store.stop()
    elif kind == "postgres":
        with postgres_layer_database() as url:
            yield url
    else:
        yield redis_url


@contextlib.contextmanager
def postgres_layer_database() -> Iterator[str]:
    """A database of this run's own for channels_postgres, its tables made as lesson 15 says, dropped after."""
    import psycopg

    name = f"bench_layer_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_SERVER_URL, autocommit=True, connect_timeout=3) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        env = daphne_env(None, url, kind="postgres")
        command = [sys.executable, "manage.py", "migrate", "--database", "channels_postgres", "--verbosity", "0"]
        subprocess.run(command, cwd=REPO_DIR, env=env, check=True, capture_output=True)
        yield url
    finally:
        with psycopg.connect(POSTGRES_SERVER_URL, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop_all(servers: list[Server]) -> None:
    for server in servers:
        server.stop()


def run(redis_url: str, redis_missing: str | None, prefix: str, quick: bool = False) -> dict:
    """Every setup at every size; rows say why when the chat or Redis is not there."""
    plan = {10: 10, 100: 10} if quick else {10: 50, 100: 30, 500: 15}
    rows = []
    for setup in SETUPS:
        base = {"setup": setup.name, "layer": setup.kind, "processes": setup.processes}
        reason = f"skipped: {redis_missing}" if setup.kind in {"core", "pubsub"} and redis_missing else None
        if reason:
            rows += [{**base, "sockets": size, "status": reason} for size in plan]
            continue
        try:
            with layer_store(setup.kind, redis_url) as url:
                rows += _setup_rows(setup, base, url, prefix, plan)
        except Exception as error:
            rows += [{**base, "sockets": size, "status": failure(error)} for size in plan]
    return {"rounds_per_size": plan, "rows": rows}


def _setup_rows(setup: Setup, base: dict, url: str | None, prefix: str, plan: dict[int, int]) -> list[dict]:
    """One row per size for one setup, its Daphnes started on `url` and stopped after."""
    servers = start_servers(setup, url, prefix)
    try:
        rows = []
        for size, rounds in plan.items():
            path = CHAT_PATH.format(room=f"bench{uuid.uuid4().hex[:8]}")
            rows.append({**base, "sockets": size, **_attempt(servers, path, size, rounds)})
        return rows
    finally:
        stop_all(servers)


def _attempt(servers: list[Server], path: str, size: int, rounds: int) -> dict:
    """One measurement, or a row saying how it failed (the other rows still run)."""
    try:
        return {"status": "ok", **asyncio.run(measure(servers, path, size, rounds))}
    except Exception as error:
        return {"status": failure(error)}
