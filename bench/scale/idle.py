"""Idle sockets: how many one server process holds, what each costs in memory, and how the process stops.

One process each of Daphne, uvicorn (its default WebSocket implementation,
`--ws websockets`, `--ws wsproto`, and the default without per-message deflate)
and granian serves `lessons.asgi:application` on the in-memory layer. Client
processes (bench/scale/swarm.py) open sockets on the lesson 02 echo
(`ws/async/echo/`), offering per-message deflate as a browser does, up to
1,000, 5,000 and 10,000, and the server's resident memory (RSS, its worker
processes included) is read at each step; KiB per socket is the slope from 1k
to 10k. Then, at 10k: a fresh socket's echo p50/p99, the server's CPU while
nothing is said, and the ceiling probe: the server was started with an
open-files soft limit of 11,000 (the hard limit here is 20,000), and 1,200
more sockets are opened to see how it stops (refuses, times out, spins, logs).

    .venv/bin/python bench/scale/run.py --only idle [--small]
"""

import contextlib
import os
import re
import signal
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common.clients import ms, percentile
from bench.common.processes import cpu_seconds
from bench.common.report import table
from bench.scale.swarm import ask_all, open_files_limit, split, start_swarms, stop_swarms
from bench.servers.run import ServerTree, daphne_argv, descendants, granian_argv, uvicorn_argv
from harness.patience import COMMAND, SERVER_START
from harness.servers import daphne_env, free_port

TITLE = "Idle sockets"
PATH = "ws/async/echo/"
SERVERS = {
    "daphne": lambda port: daphne_argv(port),
    "uvicorn": lambda port: uvicorn_argv(port),
    "uvicorn --ws websockets": lambda port: [*uvicorn_argv(port), "--ws", "websockets"],
    "uvicorn --ws wsproto": lambda port: [*uvicorn_argv(port), "--ws", "wsproto"],
    "uvicorn --ws-per-message-deflate false": lambda port: [*uvicorn_argv(port), "--ws-per-message-deflate", "false"],
    "granian": lambda port: granian_argv(port),
}
FULL = {"steps": (1000, 5000, 10000), "limit": 11000, "extra": 1200, "swarms": 4, "echoes": 200, "quiet_s": 2}
FULL |= {"probe_timeout_s": 3, "after_s": 1, "at_once": 1}
# The test's size: three servers at a time (their figures are then only roughly right; the test reads none).
SMALL = {"steps": (100, 200, 300), "limit": 400, "extra": 150, "swarms": 2, "echoes": 50, "quiet_s": 0.5}
SMALL |= {"probe_timeout_s": 1, "after_s": 0.5, "at_once": 3}
STARTING = threading.Lock()  # the open-files limit is the harness's own while a server starts with it
# At most this many handshakes in flight over all client processes: Daphne's listen backlog is 50,
# and a burst above it makes the kernel drop SYNs that come back a second later, which times the backlog.
IN_FLIGHT = 48
# What a server says when it runs out of file descriptors (Twisted, asyncio, tokio/granian).
OUT_OF_FILES = re.compile(r"EMFILE|Too many open files|out of system resource|os error 24", re.IGNORECASE)


def rss_mb(pid: int) -> float:
    """Resident memory of the server and its worker processes, in MB (granian serves from a child)."""
    total_kb = 0
    for each in descendants(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
    return round(total_kb / 1024, 1)


def open_files(pid: int) -> int:
    """File descriptors the server's processes hold: each socket is one."""
    total = 0
    for each in descendants(pid):
        try:
            total += len(os.listdir(f"/proc/{each}/fd"))
        except OSError:
            pass
    return total


def soft_limit(pid: int) -> int:
    """The highest open-files soft limit among the server's processes (a server may raise its own)."""
    limits = []
    for each in descendants(pid):
        try:
            for line in Path(f"/proc/{each}/limits").read_text().splitlines():
                if line.startswith("Max open files"):
                    limits.append(int(line.split()[3]))
        except (OSError, ValueError):
            pass
    return max(limits, default=0)


def cpu(pid: int) -> float:
    return sum(cpu_seconds(each) for each in descendants(pid))


def start_server(name: str, limit: int) -> ServerTree:
    port = free_port()
    with STARTING, open_files_limit(limit):  # the server inherits the soft limit; the harness gets its own back
        return ServerTree(name, SERVERS[name](port), daphne_env(None), port, timeout=SERVER_START)


def open_more(swarms, url: str, count: int, timeout: float, in_flight: int = IN_FLIGHT) -> dict:
    """`count` more sockets over every client process at once; the counts and errors summed."""
    shares = split(count, len(swarms))
    each = [
        {"urls": [url], "count": share, "parallel": max(1, in_flight // len(swarms)), "deflate": True}
        | {"read": False, "timeout": timeout}
        for share in shares
    ]
    answers = ask_all(swarms, "open", timeout=timeout * (count // len(swarms) + 2), each=each)
    errors: dict[str, int] = {}
    extensions: dict[str, int] = {}
    for answer in answers:
        for key, n in answer["errors"].items():
            errors[key] = errors.get(key, 0) + n
        for key, n in answer["extensions"].items():
            extensions[key] = extensions.get(key, 0) + n
    held = sum(answer["held"] for answer in answers)
    return {"opened": sum(a["opened"] for a in answers), "held": held, "errors": errors, "extensions": extensions}


def measure_server(name: str, plan: dict) -> dict:
    server = start_server(name, plan["limit"])
    swarms = start_swarms(plan["swarms"])
    try:
        url = server.ws_url(PATH)
        time.sleep(0.5)  # start-up settles (imports, the first requests' caches)
        row = {"server": name, "baseline_rss_mb": rss_mb(server.pid), "rss_mb": {}, "extensions": {}}
        cpu_before, started, held = cpu(server.pid), time.monotonic(), 0
        for step in plan["steps"]:
            # Each of these handshakes must complete: COMMAND is a liveness bound, not a pace to keep. With CONDITION
            # (30 s) as each handshake's timeout, CI runs beside other work timed out 4, then 8, of 200 uvicorn
            # handshakes and called the server unable to hold 300 sockets.
            result = open_more(swarms, url, step - held, timeout=COMMAND)
            if result["errors"]:
                raise RuntimeError(
                    f"{name}: {sum(result['errors'].values())} of {step} sockets failed: {result['errors']}"
                )
            held = result["held"]
            for key, n in result["extensions"].items():
                row["extensions"][key] = row["extensions"].get(key, 0) + n
            time.sleep(0.3)
            row["rss_mb"][str(step)] = rss_mb(server.pid)
        elapsed, spent = time.monotonic() - started, cpu(server.pid) - cpu_before
        first, last = plan["steps"][0], plan["steps"][-1]
        growth = row["rss_mb"][str(last)] - row["rss_mb"][str(first)]
        row["kib_per_socket"] = round(growth * 1024 / (last - first), 1)
        row["held"] = held
        row["connects_per_s"] = round(held / elapsed)
        row["connect_cpu_ms"] = round(spent / held * 1000, 3)
        quiet_cpu = cpu(server.pid)
        time.sleep(plan["quiet_s"])
        row["idle_cpu_percent"] = round((cpu(server.pid) - quiet_cpu) / plan["quiet_s"] * 100, 1)
        echo = swarms[0].ask("echo", url=url, count=plan["echoes"], deflate=True, timeout=COMMAND)
        row["echo_p50_ms"] = ms(percentile(echo["latencies"], 0.5))
        row["echo_p99_ms"] = ms(percentile(echo["latencies"], 0.99))
        row["echo_extension"] = echo["extension"]
        row["ceiling"] = probe(server, swarms, url, plan, held)
        return row
    finally:
        stop_swarms(swarms)
        # SIGKILL by PID, the server's worker processes too (granian's would outlive their parent):
        # a graceful stop of 10k sockets measures nothing.
        for pid in reversed(descendants(server.pid)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.stop()


def attempt(name: str, plan: dict) -> dict:
    """One server's row, or how it failed: one server that fails must not hide the others' figures."""
    try:
        return measure_server(name, plan)
    except Exception as error:
        return {"server": name, "status": f"failed: {type(error).__name__}: {str(error)[:300]}"}


def probe(server: ServerTree, swarms, url: str, plan: dict, held: int) -> dict:
    """Open `extra` sockets past the open-files limit, fast; how the server holds up, in one line."""
    log_before = len(server.log())
    cpu_before, started = cpu(server.pid), time.monotonic()
    result = open_more(swarms, url, plan["extra"], timeout=plan["probe_timeout_s"], in_flight=400)
    busy = (cpu(server.pid) - cpu_before) / (time.monotonic() - started) * 100
    after = cpu(server.pid)
    time.sleep(plan["after_s"])
    spin = (
        (cpu(server.pid) - after) / plan["after_s"] * 100
    )  # CPU % in the second after the probe: a spinning accept loop shows here
    files = open_files(server.pid)
    said = [line.strip() for line in server.log()[log_before:].splitlines() if OUT_OF_FILES.search(line)]
    errors = sorted(result["errors"].items(), key=lambda item: -item[1])
    failures = "; ".join(f"{n} × {error}" for error, n in errors[:2]) or "none failed"
    soft = soft_limit(server.pid)
    how = (
        f"open-files soft limit {plan['limit']}"
        + (f" (the server raised it to {soft})" if soft > plan["limit"] else "")
        + f": held {result['held']} sockets ({files} descriptors); "
        f"of {plan['extra']} more: {result['opened']} opened, {failures}; "
        f"CPU {busy:.0f}% during the probe, {spin:.0f}% the second after; "
        f"log: {said[0][:120] if said else 'nothing about it'} ({len(said)} such lines)"
    )
    alive = server.process.poll() is None
    return {
        "sockets": result["held"],
        "how": how + ("" if alive else "; the server exited"),
        "limit": plan["limit"],
        "server_soft_limit": soft,
        "failed": sum(result["errors"].values()),
        "errors": result["errors"],
        "cpu_percent_during": round(busy, 1),
        "cpu_percent_after": round(spin, 1),
        "log_lines": len(said),
        "alive": alive,
        "held_before": held,
    }


async def measure(small: bool) -> dict:
    plan = SMALL if small else FULL
    with ThreadPoolExecutor(plan["at_once"]) as pool:
        rows = list(pool.map(lambda name: attempt(name, plan), SERVERS))
    return {"steps": list(plan["steps"]), "open_files_limit": plan["limit"], "servers": rows}


def render(result: dict) -> list[str]:
    steps = [str(step) for step in result["steps"]]
    headers = ["server", "extension negotiated", "baseline MB", *(f"RSS MB at {s}" for s in steps), "KiB/socket"]
    headers += ["connects/s", "connect CPU ms", "echo p50 ms", "echo p99 ms", "idle CPU %", "ceiling"]
    rows = []
    for row in result["servers"]:
        if "status" in row:
            rows.append([row["server"], row["status"]])
            continue
        extension = ", ".join(row["extensions"]) or "none"
        rows.append(
            [row["server"], extension, row["baseline_rss_mb"], *(row["rss_mb"][s] for s in steps)]
            + [row["kib_per_socket"], row["connects_per_s"], row["connect_cpu_ms"], row["echo_p50_ms"]]
            + [row["echo_p99_ms"], row["idle_cpu_percent"], row["ceiling"]["sockets"]]
        )
    deflate = [row for row in result["servers"] if row["server"].startswith("uvicorn") and "status" not in row]
    paragraph = (
        f"One server process each, {steps[-1]} idle sockets on `{PATH}` held by separate client processes that "
        "offer `permessage-deflate; client_max_window_bits` as a browser does. KiB/socket is the RSS slope from "
        f"{steps[0]} to {steps[-1]} sockets. Per-message deflate is what a socket's memory mostly is: a server "
        "that accepts it keeps a zlib compressor and decompressor per socket for the socket's whole life "
        "(uvicorn with and without it, same implementation, are the proof); Daphne (autobahn, as Daphne "
        "configures it) does not negotiate it."
    )
    if len(deflate) > 1:
        paragraph += " " + ", ".join(f"{row['server']}: {row['kib_per_socket']} KiB" for row in deflate) + "."
    lines = [f"## {TITLE}", "", paragraph, "", *table(headers, rows).splitlines(), "", "How each one stops:", ""]
    lines += [f"- {row['server']}: {row['ceiling']['how']}" for row in result["servers"] if "ceiling" in row]
    medians = [row["kib_per_socket"] for row in result["servers"] if "kib_per_socket" in row]
    if medians:
        lines += ["", f"Median KiB per socket over the servers: {statistics.median(medians)}."]
    return lines
