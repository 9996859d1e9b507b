"""Lesson 14: the capacity model (bench/capacity/model.py) checked against a run it was not fitted on.

Four Daphne processes on the Redis core layer hold 2,400 chat sockets in rooms
of 50 (smaller than any room the fan-out section measures), every room split
over all four, so each broadcast crosses Redis four times and every term of
the model counts. Two client processes (this module, `--client`) send a steady
20 broadcasts/s from socket after socket and read every delivery. Over one
10 s window (one membership renewal per socket: layers_demo/membership.py)
this measures the Daphnes' CPU (cores busy, from /proc), their RSS and the
Redis commands/s (INFO commandstats of a private redis-server, so no other
program's commands count). Then the model predicts the same figures from this
run's idle and fan-out sections (each from bench/scale/reference.json when this
run did not measure it) and the table sets prediction beside measurement with
the error; the goal is within 25 %.

    python -m bench.scale.run --only validate        # as a section of the scale harness
    python -m bench.scale.validate [--small]     # alone, costs from bench/scale/reference.json

Loopback only; every process is stopped by its PID; Redis keys go under a
prefix of this run's own and are deleted after (never a FLUSHDB).
"""

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import redis

from bench.capacity.fit import REFERENCE, costs_from_reference
from bench.capacity.model import Load, predict
from bench.common.clients import close_sockets, open_sockets
from bench.common.processes import Server, failure, start_daphne, why_redis_is_missing
from bench.common.report import table
from harness.servers import REPO_DIR, PrivateRedis, delete_prefixed_keys

TITLE = "The model, checked"
CLIENTS = 2
GOAL_PERCENT = 25
# One renewal interval exactly, so every socket renews once inside the window.
WINDOW_S = 10.0
WARMUP_S = 2.0
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class Plan:
    sockets: int
    room_size: int
    broadcasts_per_s: float
    processes: int = 2


FULL = Plan(sockets=2400, room_size=50, broadcasts_per_s=20, processes=4)
SMALL = Plan(sockets=200, room_size=50, broadcasts_per_s=5)


async def measure(small: bool, results: dict, plan: Plan | None = None) -> dict:
    """Run the mixed workload (or `plan`), measure it, and ask the model; a status row if it cannot run."""
    plan = plan or (SMALL if small else FULL)
    try:
        costs, source = fitted_costs(results)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return {"status": f"skipped: no costs to predict from ({error}); run the idle and fanout sections"}
    try:
        with redis_store() as url:
            measured = await run_workload(plan, url)
    except Exception as error:
        return {"status": failure(error)}
    load = Load(plan.sockets, plan.room_size, measured["broadcasts_per_s"], processes=plan.processes)
    prediction = predict(load, costs)
    predicted = {
        "cpu_cores": round(prediction.cpu_cores, 3),
        "rss_mb_per_process": round(prediction.rss_per_process_mb, 1),
        "redis_commands_per_s": round(prediction.redis_commands_per_s, 1),
    }
    rows = [
        comparison("server CPU, cores", predicted["cpu_cores"], measured["cpu_cores"]),
        comparison("RSS per process, MB", predicted["rss_mb_per_process"], measured["rss_mb_per_process"]),
        comparison("Redis commands/s", predicted["redis_commands_per_s"], measured["redis_commands_per_s"]),
    ]
    return {
        "status": "ok",
        "plan": {**asdict(plan), "layer": "core", "window_s": WINDOW_S},
        "costs_from": source,
        "fitted_rooms": sorted(costs.delivery_cpu_us),
        "measured": measured,
        "predicted": predicted,
        "cpu_terms": {name: round(cores, 4) for name, cores in prediction.cpu_terms.items()},
        "rows": rows,
        "within_goal": all(abs(row["error_percent"]) <= GOAL_PERCENT for row in rows),
    }


def fitted_costs(results: dict) -> tuple:
    """The model's costs: each section this run measured (idle, fanout) from this run, the rest from the reference.

    `--only fanout,validate` thus predicts from this run's fan-out and the reference's idle section.
    """
    reference, sections, sources = None, {}, {}
    for name in ("idle", "fanout"):
        section = results.get(name)
        if isinstance(section, dict) and section.get("status", "ok") == "ok":
            sections[name], sources[name] = section, "this run's"
            continue
        reference = reference or json.loads(Path(REFERENCE).read_text())
        sections[name], sources[name] = reference[name], f"{Path(REFERENCE).relative_to(REPO_DIR)}'s"
    source = " and ".join(f"{where} {name.replace('fanout', 'fan-out')} section" for name, where in sources.items())
    return costs_from_reference(sections), source


def comparison(figure: str, predicted: float, measured: float) -> dict:
    error = (predicted - measured) / measured * 100 if measured else float("inf")
    return {"figure": figure, "predicted": predicted, "measured": measured, "error_percent": round(error, 1)}


@contextlib.contextmanager
def redis_store():
    """A private redis-server (its commandstats count only this run), else the one at REDIS_URL."""
    executable = shutil.which("redis-server")
    if executable is not None:
        store = PrivateRedis(executable)
        try:
            yield store.url
        finally:
            store.stop()
        return
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    missing = why_redis_is_missing(url)
    if missing:
        raise RuntimeError(missing)
    yield url  # shared: another program's commands would count too


def redis_calls(client: redis.Redis) -> dict[str, int]:
    """Commands Redis has run so far, by name (those inside Lua scripts too), not counting our own INFO."""
    stats = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): entry["calls"] for name, entry in stats.items() if name != "cmdstat_info"}


def rss_mb(pid: int) -> float:
    """The process's resident memory, from /proc/<pid>/status (VmRSS, in KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def socket_urls(plan: Plan, servers: list[Server], tag: str) -> list[str]:
    """Socket i joins room i mod R on server (i div R) mod P: every room is split over every server."""
    rooms = plan.sockets // plan.room_size
    return [servers[(i // rooms) % len(servers)].ws_url(f"ws/chat/{tag}r{i % rooms}/") for i in range(plan.sockets)]


async def run_workload(plan: Plan, url: str) -> dict:
    """Start the Daphnes and the clients, measure one window, stop everything by PID."""
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    servers: list[Server] = []
    clients: list[asyncio.subprocess.Process] = []
    client = redis.Redis.from_url(url)
    descriptor, path = tempfile.mkstemp(prefix="validate-clients-", suffix=".log")
    os.close(descriptor)  # the clients' own open file writes it
    log = Path(path)
    try:
        servers = [start_daphne("lessons.asgi", url, "core", prefix) for _ in range(plan.processes)]
        urls = socket_urls(plan, servers, uuid.uuid4().hex[:6])
        share = len(urls) // CLIENTS
        for c in range(CLIENTS):
            config = {"urls": urls[c * share : (c + 1) * share], "rate": plan.broadcasts_per_s / CLIENTS}
            clients.append(await start_client(config, log))
        for process in clients:
            await expect(process, "ready", 120, log)
        await tell(clients, "go")
        await asyncio.sleep(WARMUP_S)
        cpu, calls, started = [s.cpu_seconds() for s in servers], redis_calls(client), time.monotonic()
        await tell(clients, "mark")
        await asyncio.sleep(WINDOW_S)
        cpu_after, calls_after, elapsed = (
            [s.cpu_seconds() for s in servers],
            redis_calls(client),
            time.monotonic() - started,
        )
        await tell(clients, "mark")
        rss = [rss_mb(s.pid) for s in servers]
        await tell(clients, "stop")
        reports = [json.loads(await expect(process, "{", 60, log)) for process in clients]
    finally:
        for process in clients:
            if process.returncode is None:
                process.kill()  # by its PID; a client that answered has already exited
                await process.wait()
        for server in servers:
            server.stop()
        delete_prefixed_keys(url, prefix)
        client.close()
        log.unlink(missing_ok=True)
    return workload_figures(reports, elapsed, (cpu, cpu_after), (calls, calls_after), rss)


def workload_figures(
    reports: list[dict], elapsed: float, cpu_window: tuple, calls_window: tuple, rss: list[float]
) -> dict:
    """The window's figures, from the clients' reports and the servers' CPU and Redis's calls at its two ends."""
    (cpu, cpu_after), (calls, calls_after) = cpu_window, calls_window
    sent = sum(r["marks"][1]["sent"] - r["marks"][0]["sent"] for r in reports)
    received = sum(r["marks"][1]["received"] - r["marks"][0]["received"] for r in reports)
    client_cpu = sum(r["marks"][1]["cpu_s"] - r["marks"][0]["cpu_s"] for r in reports)
    return {
        "window_s": round(elapsed, 2),
        "broadcasts_per_s": round(sent / elapsed, 2),
        "deliveries_per_s": round(received / elapsed, 1),
        "error_frames": sum(r["errors"] for r in reports),
        # The clients share the machine: if they fall behind, deliveries/s reads low, not the servers' CPU.
        "client_cpu_cores": round(client_cpu / elapsed, 3),
        "cpu_cores": round(sum(cpu_after) / elapsed - sum(cpu) / elapsed, 3),
        "cpu_cores_per_process": [round((b - a) / elapsed, 3) for a, b in zip(cpu, cpu_after, strict=True)],
        "rss_mb": [round(value, 1) for value in rss],
        "rss_mb_per_process": round(sum(rss) / len(rss), 1),
        "redis_commands_per_s": round((sum(calls_after.values()) - sum(calls.values())) / elapsed, 1),
        # Membership renewals (group_add): on core, the only EXPIRE without a ZCOUNT (channels_redis/core.py).
        "renewals_per_s": round(
            (
                calls_after.get("expire", 0)
                - calls.get("expire", 0)
                - calls_after.get("zcount", 0)
                + calls.get("zcount", 0)
            )
            / elapsed,
            1,
        ),
        "redis_commands_per_s_by_name": {
            name: round((count - calls.get(name, 0)) / elapsed, 1) for name, count in sorted(calls_after.items())
        },
    }


async def start_client(config: dict, log: Path) -> asyncio.subprocess.Process:
    """One client process (this module with --client): its own CPU, not the harness's; its errors go to `log`."""
    argv = [sys.executable, "-m", "bench.scale.validate", "--client", json.dumps(config)]
    pipe = asyncio.subprocess.PIPE
    with log.open("ab") as errors:
        return await asyncio.create_subprocess_exec(*argv, cwd=REPO_DIR, stdin=pipe, stdout=pipe, stderr=errors)


async def tell(clients: list, command: str) -> None:
    for process in clients:
        process.stdin.write(f"{command}\n".encode())
        await process.stdin.drain()


async def expect(process: asyncio.subprocess.Process, start: str, timeout: float, log: Path) -> str:
    """The client's next line, which must start with `start`; else an error with the end of the clients' log."""
    line = (await asyncio.wait_for(process.stdout.readline(), timeout)).decode().strip()
    if not line.startswith(start):
        said = log.read_text(errors="replace")[-2000:] or "nothing"
        raise RuntimeError(f"a client process said {line!r} where {start!r} was expected; its errors: {said}")
    return line


# --- the client process ---------------------------------------------------------------


async def client_main(config: dict) -> None:
    """Open the sockets, then on "go" broadcast at the rate; "mark" records counts; "stop" reports them."""
    counts = {"sent": 0, "received": 0, "errors": 0}
    sockets = await open_sockets(config["urls"])
    readers = [asyncio.create_task(read(ws, counts)) for ws in sockets]
    print("ready", flush=True)
    marks, sender = [], None
    for _ in range(10):  # go, mark, mark, stop: a bounded conversation
        command = (await asyncio.to_thread(sys.stdin.readline)).strip()
        if command == "go":
            sender = asyncio.create_task(send_steadily(sockets, config["rate"], counts))
        elif command == "mark":
            marks.append({**counts, "cpu_s": time.process_time()})
        else:  # "stop", or the harness went away (an empty line)
            break
    for task in [sender, *readers]:
        if task is not None:
            task.cancel()
    print(json.dumps({"marks": marks, "errors": counts["errors"]}), flush=True)
    await close_sockets(sockets)


async def send_steadily(sockets: list, rate: float, counts: dict, limit_s: float = 120) -> None:
    """One chat message every 1/rate s, each from the next socket in turn (none nears the flood limit)."""
    interval, next_at = 1 / rate, time.monotonic()
    for k in range(int(rate * limit_s)):
        await sockets[k % len(sockets)].send(json.dumps({"message": f"v{k}"}))
        counts["sent"] += 1
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def read(ws, counts: dict) -> None:
    async for frame in ws:
        counts["errors" if '"error"' in frame else "received"] += 1


# --- the table ------------------------------------------------------------------------


def render(result: dict) -> list[str]:
    """The section's Markdown: a heading, what ran, and prediction beside measurement."""
    lines = [f"## {TITLE}", ""]
    if result.get("status") != "ok":
        return lines + [f"Not run: {result.get('status')}"]
    plan, measured = result["plan"], result["measured"]
    verdict = "all within" if result["within_goal"] else "NOT all within"
    lines += [
        f"{plan['processes']} Daphne processes on Redis {plan['layer']}, {plan['sockets']:,} chat sockets in rooms "
        f"of {plan['room_size']} (the fan-out section measured {', '.join(map(str, result['fitted_rooms']))}), "
        "every room split over all of them; "
        f"{measured['broadcasts_per_s']:g} broadcasts/s ({measured['deliveries_per_s']:,.0f} deliveries/s read) from "
        f"{CLIENTS} client processes over {measured['window_s']:g} s. The model's prediction uses the costs of "
        f"{result['costs_from']}; {verdict} {GOAL_PERCENT} %.",
        "",
    ]
    rows = [
        [row["figure"], f"{row['predicted']:,}", f"{row['measured']:,}", f"{row['error_percent']:+.1f} %"]
        for row in result["rows"]
    ]
    return lines + table(["figure", "predicted", "measured", "error"], rows).splitlines()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="200 sockets in rooms of 50")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # a client process's JSON config
    args = parser.parse_args(argv)
    # Each process holds one file per socket; the common default of 1024 is too few.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 8192), hard), hard))
    if args.client:
        asyncio.run(client_main(json.loads(args.client)))
        return 0
    result = asyncio.run(measure(args.small, {}))
    print("\n".join(render(result)))
    print(json.dumps(result, indent=1), file=sys.stderr)
    return 0 if result.get("status") == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
