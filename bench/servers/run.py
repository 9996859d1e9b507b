"""Daphne or uvicorn: the same application (lessons.asgi), the same load, side by side in one run (lesson 13).

Each server runs the course unchanged in one process on the in-memory layer:
the lesson 02 async echo with 1 and 50 clients, and the lesson 04 chat fanned
out to 100 sockets. Rows: throughput, latency and the server's CPU per
message or per delivery (bench/speed/echo.py and bench/speed/fanout.py measure; this
module only changes the server), the median of three rounds that take turns:

    .venv/bin/python bench/servers/run.py [--quick]
    .venv/bin/python bench/servers/run.py --reference   # rewrite bench/servers/reference.md
"""

import asyncio
import os
import statistics
import sys
import uuid
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_DIR))  # run as a script: make `bench` and `lessons` importable

from bench.common.options import switches  # noqa: E402
from bench.common.processes import Server, cpu_seconds, failure  # noqa: E402
from bench.speed import echo, fanout  # noqa: E402
from harness.patience import SERVER_START  # noqa: E402
from harness.servers import daphne_env, free_port  # noqa: E402

ECHO_PATH = "ws/async/echo/"


def daphne_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "lessons.asgi:application"]


def uvicorn_argv(port: int) -> list[str]:
    # --lifespan off: the course's ProtocolTypeRouter has no "lifespan" entry (Daphne never sends one).
    # --no-access-log: Daphne writes no access log unless asked either.
    options = ["--host", "127.0.0.1", "--port", str(port), "--lifespan", "off", "--no-access-log"]
    return [sys.executable, "-m", "uvicorn", *options, "lessons.asgi:application"]


def granian_argv(port: int) -> list[str]:
    options = ["--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "granian", *options, "lessons.asgi:application"]


# How each server is started on a port, one process each; the lesson 13 tests start them the same way.
SERVERS = {"daphne": daphne_argv, "uvicorn": uvicorn_argv, "granian": granian_argv}


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (granian serves from a worker process it starts)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                queue += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                pass
    return found


class ServerTree(Server):
    """A measured server whose CPU time includes the worker processes it started."""

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in descendants(self.pid))


def start(name: str) -> Server:
    port = free_port()
    return ServerTree(name, SERVERS[name](port), daphne_env(None), port, timeout=SERVER_START)


LOADS = ("echo x1", "echo x50", "fan-out x100")
FIGURES = ("msgs_per_s", "p50_ms", "p99_ms", "server_cpu_us_per_msg", "deliveries_per_s", "server_cpu_us_per_delivery")


def measure_once(server: Server, load: str, quick: bool) -> dict:
    """One measurement of one load on one server (bench/speed/echo.py and bench/speed/fanout.py do the work)."""
    if load == "echo x1":
        return asyncio.run(echo.measure(server, ECHO_PATH, 1, 200 if quick else 500, echo.same_frame))
    if load == "echo x50":
        return asyncio.run(echo.measure(server, ECHO_PATH, 50, 10 if quick else 20, echo.same_frame))
    path = fanout.CHAT_PATH.format(room=f"bench{uuid.uuid4().hex[:8]}")
    return asyncio.run(fanout.measure([server], path, 100, 10 if quick else 15))


def median_row(runs: list[dict]) -> dict:
    """Each figure's median over the rounds: the machine is shared, so one round can be unlucky."""
    return {key: statistics.median(one[key] for one in runs) for key in FIGURES if key in runs[0]}


def run(quick: bool = False) -> dict:
    """All servers started once; then, round after round, every load on every server in turn."""
    rounds = 1 if quick else 3
    servers: dict[str, Server | str] = {}
    for name in SERVERS:
        try:
            servers[name] = start(name)
        except Exception as error:
            servers[name] = failure(error)
    runs: dict[tuple[str, str], list[dict] | str] = {(name, load): [] for name in SERVERS for load in LOADS}
    try:
        for _ in range(rounds):
            for name, server in servers.items():
                for load in LOADS:
                    if isinstance(server, str) or isinstance(runs[name, load], str):
                        continue
                    try:
                        runs[name, load].append(measure_once(server, load, quick))
                    except Exception as error:  # one failing load must not hide the others
                        runs[name, load] = failure(error)
    finally:
        for server in servers.values():
            if not isinstance(server, str):
                server.stop()
    rows = []
    for (name, load), result in runs.items():
        status = servers[name] if isinstance(servers[name], str) else result if isinstance(result, str) else "ok"
        rows.append({"server": name, "load": load, "status": status, **(median_row(result) if status == "ok" else {})})
    return {"rounds": rounds, "rows": rows}


def markdown(results: dict) -> str:
    from bench.common.report import table

    rows = []
    for row in results["rows"]:
        if row["status"] != "ok":
            rows.append([row["server"], row["load"], row["status"]])
        elif row["load"].startswith("echo"):
            rows.append(
                [row["server"], row["load"], row["msgs_per_s"], row["p50_ms"], row["server_cpu_us_per_msg"], ""]
            )
        else:
            rows.append(
                [row["server"], row["load"], row["deliveries_per_s"], "", "", row["server_cpu_us_per_delivery"]]
            )
    headers = ["server", "load", "msg/s or deliveries/s", "echo p50 ms", "CPU us/msg", "CPU us/delivery"]
    return table(headers, rows)


def reference_document(results: dict) -> str:
    """bench/servers/reference.md: the table, and when and where it was measured."""
    from bench.common import machine
    from bench.common.report import machine as describe

    info = machine.describe(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    servers = ", ".join(f"{name} {version(name)}" for name in SERVERS)
    return (
        f"# Daphne, uvicorn and granian: one run of `python bench/servers/run.py`, {stamp}\n\n"
        f"{describe(info)}\n\nServers: {servers}, one process each, in-memory layer; "
        f"medians of {results['rounds']} rounds.\n\n{markdown(results)}\n"
    )


def arguments(argv: list[str]):
    return switches(__doc__, argv, quick="one round instead of three", reference="rewrite bench/servers/reference.md")


if __name__ == "__main__":
    args = arguments(sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
    results = run(quick=args.quick)
    print(markdown(results))
    if args.reference:
        (REPO_DIR / "bench/servers/reference.md").write_text(reference_document(results))
