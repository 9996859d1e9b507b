"""Echo latency and throughput: what each layer of the stack costs per message.

The lesson 01-03 echo routes run under one real Daphne; the reference echo,
written directly on `websockets`, runs in its own process beside it. Each
target gets the same load: 1 client, then 50 concurrent clients, each sending
a small JSON text frame and waiting for the answer before sending the next.
Latency is one round trip (send -> answer received); throughput is answers per
second over the whole run; server CPU per message is read from /proc. The
ratios to the reference show the price of Daphne + the ASGI router + the
origin check + the consumer. The client shares the machine, so at 50 clients
throughput is partly the client's limit; CPU per message is not.
"""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.common.clients import close_sockets, ms, open_sockets, percentile
from bench.common.processes import Server, failure, start_daphne, start_reference_echo


def same_frame(sent: str, answer: str | bytes) -> bool:
    """The plain echoes send the frame back unchanged."""
    return answer == sent


def wrapped_in_echo(sent: str, answer: str | bytes) -> bool:
    """The JSON echo answers JSON V with {"echo": V}."""
    return json.loads(answer) == {"echo": json.loads(sent)}


@dataclass(frozen=True)
class Target:
    name: str
    path: str | None  # None: the reference server, which answers on any path
    check: Callable[[str, str | bytes], bool]


TARGETS = (
    Target("reference: websockets library", None, same_frame),
    Target("01 SyncConsumer", "ws/sync/echo/", same_frame),
    Target("02 AsyncConsumer", "ws/async/echo/", same_frame),
    # The same echo whose dispatch skips the aclose_old_connections() trip to the sync thread.
    Target("02 AsyncConsumer, hop-free dispatch", "ws/async/hop-free-echo/", same_frame),
    Target("03 WebsocketConsumer", "ws/sync/generic-echo/", same_frame),
    Target("03 AsyncJsonWebsocketConsumer", "ws/async/json-echo/", wrapped_in_echo),
)


async def client_round_trips(ws, client: int, count: int, check) -> list[float]:
    """Send `count` frames one after the other on one socket; return each round trip in seconds."""
    latencies = []
    for seq in range(count):
        frame = json.dumps({"client": client, "seq": seq})
        started = time.perf_counter()
        await ws.send(frame)
        answer = await ws.recv()
        latencies.append(time.perf_counter() - started)
        if not check(frame, answer):
            raise AssertionError(f"expected the echo of {frame!r}, got {answer!r}")
    return latencies


async def measure(server: Server, path: str, clients: int, per_client: int, check, warmup: int = 20) -> dict:
    """Open `clients` sockets, warm them up, then time `per_client` round trips on each, concurrently."""
    sockets = await open_sockets([server.ws_url(path)] * clients)
    try:
        await asyncio.gather(*(client_round_trips(ws, i, warmup, check) for i, ws in enumerate(sockets)))
        cpu_before, started = server.cpu_seconds(), time.perf_counter()
        runs = await asyncio.gather(*(client_round_trips(ws, i, per_client, check) for i, ws in enumerate(sockets)))
        elapsed, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu_before
    finally:
        await close_sockets(sockets)
    latencies = [latency for run in runs for latency in run]
    return {
        "messages": len(latencies),
        "p50_ms": ms(percentile(latencies, 0.50)),
        "p99_ms": ms(percentile(latencies, 0.99)),
        "msgs_per_s": round(len(latencies) / elapsed),
        "server_cpu_us_per_msg": round(cpu / len(latencies) * 1e6, 1),
    }


def add_ratios(rows: list[dict]) -> None:
    """Each row's p50, time per message and server CPU per message as multiples of the reference's."""
    reference = {row["clients"]: row for row in rows if row["path"] is None and row["status"] == "ok"}
    for row in rows:
        ref = reference.get(row["clients"])
        if row["status"] == "ok" and ref:
            row["p50_x_reference"] = round(row["p50_ms"] / ref["p50_ms"], 2)
            row["cost_x_reference"] = round(ref["msgs_per_s"] / row["msgs_per_s"], 2)
            row["cpu_x_reference"] = round(row["server_cpu_us_per_msg"] / ref["server_cpu_us_per_msg"], 2)


def target_rows(target: Target, server: Server, loads: list) -> list[dict]:
    """One row per load for one target: its figures, or how it failed."""
    rows = []
    for clients, per_client in loads:
        row = {"target": target.name, "path": target.path, "clients": clients}
        try:
            result = asyncio.run(measure(server, target.path or "echo/", clients, per_client, target.check))
        except Exception as error:  # one broken route must not hide the others' figures
            rows.append({**row, "status": failure(error)})
            continue
        rows.append({**row, "status": "ok", **result})
    return rows


def run(quick: bool = False) -> dict:
    """Measure every echo target at 1 and 50 clients, the reference first."""
    loads = [(1, 200 if quick else 1000), (50, 10 if quick else 40)]
    servers: list[Server] = []
    try:
        servers += [start_reference_echo(), start_daphne()]
        reference, daphne = servers
        rows = [row for t in TARGETS for row in target_rows(t, reference if t.path is None else daphne, loads)]
    except Exception as error:  # a server did not start: every row says why
        status = failure(error)
        rows = [{"target": t.name, "path": t.path, "clients": c, "status": status} for t in TARGETS for c, _ in loads]
    finally:
        for server in servers:
            server.stop()
    add_ratios(rows)
    return {"loads": [{"clients": c, "messages_per_client": n} for c, n in loads], "rows": rows}
