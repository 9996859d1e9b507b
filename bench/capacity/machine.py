"""How many sockets this machine holds with its limits: what `python manage.py doctor` prints (lesson 14).

Each limit of the machine, divided by what one socket costs of it:

    open files      one per socket; the hard limit of one process, less FILES_RESERVED, is a Daphne's share,
                    and the system's (fs.file-max) the machine's, whatever the number of processes
    memory          80 % of the machine's (MEMORY_HEADROOM), less a baseline per process, at KiB per socket
    CPU             70 % of the cores (CPU_HEADROOM) just keeping idle chat sockets alive: Daphne's keepalive
                    ping, and the membership renewal every 10 s (lesson 05)
    ports           ephemeral ports per destination: a proxy in front of the Daphnes (or the clients of a
                    test like bench/scale/top.py) holds at most that many sockets to one Daphne port

The per-socket costs are the 100,000-socket run's (bench/scale/top-reference.json) where it
exists, else the 10,000-socket reference's. The smallest figure binds.
"""

import json
import math
import os
import resource
from dataclasses import dataclass
from pathlib import Path

from bench.capacity.model import CPU_HEADROOM, FILES_RESERVED, MEMORY_HEADROOM

REPO_DIR = Path(__file__).resolve().parents[2]
TOP_REFERENCE = REPO_DIR / "bench" / "scale" / "top-reference.json"
REFERENCE = REPO_DIR / "bench" / "scale" / "reference.json"


@dataclass(frozen=True)
class Limits:
    open_files_hard: int
    file_max: int
    ports_per_destination: int
    memory_mb: float
    cores: int


@dataclass(frozen=True)
class SocketCosts:
    kib_per_socket: float  # a Daphne's RSS per open socket
    baseline_mb: float  # a Daphne with no sockets
    idle_us_per_socket_s: float  # CPU µs per second an idle chat socket costs its Daphne
    source: str


def this_machine() -> Limits:
    """The limits of the machine this runs on (Linux; elsewhere what can be read)."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    hard = 1 << 20 if hard == resource.RLIM_INFINITY else hard
    file_max = read_int("/proc/sys/fs/file-max", 1 << 20)
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    try:
        memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (ValueError, OSError, AttributeError):
        memory_mb = 0.0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return Limits(hard, file_max, high - low + 1, memory_mb, cores)


def read_int(path: str, default: int) -> int:
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def measured_costs() -> SocketCosts | None:
    """Daphne's costs per chat socket: the 100,000-socket run's, else the 10,000-socket reference's idle ones."""
    if TOP_REFERENCE.exists():
        top = json.loads(TOP_REFERENCE.read_text())
        if top.get("status") == "ok":
            opened, beat, plan = top["measured"]["open"], top["measured"]["heartbeat"], top["plan"]
            daphnes = plan["memory_daphnes"] + plan["redis_daphnes"]
            memory_sockets = opened.get("still_open", opened["opened"]) * plan["memory_daphnes"] / daphnes
            return SocketCosts(
                kib_per_socket=opened["server_kib_per_socket"],
                baseline_mb=opened["server_baseline_mb"],
                idle_us_per_socket_s=beat["memory_cores"] * 1e6 / memory_sockets,
                source=f"the top run ({opened.get('still_open', opened['opened']):,} sockets)",
            )
    if REFERENCE.exists():
        daphne = next(s for s in json.loads(REFERENCE.read_text())["idle"]["servers"] if s["server"] == "daphne")
        held = daphne.get("held") or max(int(n) for n in daphne["rss_mb"])
        return SocketCosts(
            kib_per_socket=daphne["kib_per_socket"],
            baseline_mb=daphne["baseline_rss_mb"],
            idle_us_per_socket_s=daphne["idle_cpu_percent"] / 100 * 1e6 / held,
            source="the 10,000-socket run",
        )
    return None


def holds(limits: Limits, costs: SocketCosts) -> dict[str, int]:
    """Sockets each limit allows on this machine (Daphnes only: the clients are elsewhere)."""
    per_process = max(1, limits.open_files_hard - FILES_RESERVED)
    usable_mb = limits.memory_mb * MEMORY_HEADROOM
    # n sockets need ceil(n / per_process) processes, each with its baseline: solve for n.
    per_socket_mb = costs.kib_per_socket / 1024 + costs.baseline_mb / per_process
    return {
        "memory": int(usable_mb / per_socket_mb),
        "CPU": int(limits.cores * CPU_HEADROOM * 1e6 / costs.idle_us_per_socket_s) if costs.idle_us_per_socket_s else 0,
        "open files (system)": limits.file_max,
    }


def summary(limits: Limits | None = None, costs: SocketCosts | None = None) -> str:
    """One line: how many sockets, which limit binds, and how many Daphnes that takes."""
    limits = limits or this_machine()
    costs = costs or measured_costs()
    if costs is None:
        return "no reference run to read a socket's costs from (make bench-scale)"
    allowed = holds(limits, costs)
    binds = min(allowed, key=allowed.get)
    most = allowed[binds]
    per_process = max(1, limits.open_files_hard - FILES_RESERVED)
    daphnes = math.ceil(most / per_process)
    return (
        f"about {most:,} idle chat sockets, {binds} binds first: "
        f"{limits.cores} cores at {costs.idle_us_per_socket_s:.1f} µs/s a socket hold {allowed['CPU']:,}, "
        f"{limits.memory_mb / 1024:.0f} GiB at {costs.kib_per_socket:g} KiB hold {allowed['memory']:,}; "
        f"open files {limits.open_files_hard:,} a process: {daphnes} Daphnes of at most {per_process:,} "
        f"(costs from {costs.source}, lesson 14)"
    )
