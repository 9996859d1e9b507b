"""Lesson 14's capacity model: server processes, memory, CPU and Redis load for N sockets and M broadcasts/s.

A load is N sockets in rooms of S sockets, with M broadcasts per second (a
broadcast is one chat message to one room: S deliveries). The costs come from
the scale harness's reference run (bench/scale/reference.json, `python -m
bench.scale.run`): memory per socket and per process, CPU per connect, per idle
socket and per delivery, Redis commands per broadcast. predict() multiplies
them out and says which limit binds first: CPU, memory or open files per
process, or the one Redis every process shares.

    python -m bench.capacity --sockets 1000000 --room-size 50 --broadcasts 2000
    python -m bench.capacity --sockets 20000 --room-size 300 --broadcasts 50 --server daphne --layer core \\
        --cores-per-process 1 --memory-gb 16 --open-files 65536 --reference bench/scale/reference.json

The arithmetic, all of it in predict() (P processes; a room spans p of them):

    deliveries/s   = M × S
    p              = P × (1 − (1 − 1/P)^S)          rooms' sockets land on processes at random
    CPU µs/s       = N × idle + M × (S × delivery(S, N/P) + (p − 1) × extra process)
                     + N / renew interval × renewal + connects/s × connect
    RSS MB         = P × baseline + N × KiB per socket / 1024
    Redis cmds/s   = M × (per broadcast + (p − 1) × per extra process) + N / renew interval × per renewal
                     + connects/s × per connect
    processes      = the most that CPU (≤ 70 % of each process's cores), memory (≤ 80 %) or
                     open files (each socket is one) demand; Redis binds if one Redis
                     cannot carry its commands at ≤ 70 %.

delivery(S, n), the CPU per delivery, is the figure for a room alone in one
process, interpolated in log S between the room sizes the fan-out section
measured, plus the crowd: a few hundredths of a µs for each other socket the
process holds (CROWD_CPU_US_PER_SOCKET says why). A room that spans more
processes costs more: the Redis core layer sends one copy of a group message
to each process holding a member (channels-redis 4.x packs that process's
channel names into it), and each copy is a receive on that process and about
ten more Redis commands (EVAL, ZADD, EXPIRE, BZPOPMIN, ZPOPMIN, ...). The chat
consumer renews each socket's membership every 10 s (lesson 05's group_add:
ZADD and EXPIRE on the core layer; a no-op on pub/sub): a million sockets make
100,000 renewals a second. bench/scale/validate.py checks the model against a run it was not fitted on.

How costs_from_reference() reads the reference (keys of its "fanout" section):

    rows[*]: layer, processes, room, all_have_it_ms, deliveries_per_s,
             cpu_us_per_delivery, redis_commands_per_broadcast      net of the room's quiet baseline
             (bench/scale/fanout.py: an open room idles and renews with no broadcast; that is
             subtracted, and the *_gross figures beside them keep it)
             quiet_cpu_percent, quiet_renewals_per_s                 the quiet window's own (optional)
    crowd_cpu_us_per_socket: {layer: µs}                             optional; else CROWD_CPU_US_PER_SOCKET

    delivery(S)          = the one-process row's cpu_us_per_delivery at room S
    per broadcast        = the median of the one-process rows' Redis commands per broadcast
    per further process  = k in  (row − one-process row, per delivery) = k × (P − 1) / S,
                           over every split row of every room (least squares, k ≥ 0; the
                           CPU difference first loses the crowd the split took off)
    renewal CPU          = Σ (quiet CPU µs/s − S × idle µs/s) / Σ quiet renewals/s, over the rows
                           that renewed; else the idle section's "renewal_cpu_us", else RENEWAL_CPU_US
"""

import argparse
import json
import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.common.report import table

REPO_DIR = Path(__file__).resolve().parents[2]
REFERENCE = REPO_DIR / "bench" / "scale" / "reference.json"

# Headroom: plan to run each resource at most this full, so a burst, a deploy
# (one process down, its sockets reconnecting to the rest) or a noisy neighbour fits.
CPU_HEADROOM = 0.70
MEMORY_HEADROOM = 0.80
REDIS_HEADROOM = 0.70
# Commands per second one Redis server carries on one core: redis-benchmark's
# small commands reach 100k-200k/s; a Lua EVAL with a dozen calls is slower.
# Measure yours (`redis-benchmark -q -t zadd,eval`) and pass --redis-ops.
REDIS_OPS_PER_S = 100_000
# Files a process holds besides its sockets: its Redis pool may grow to
# lessons/channel_config.MAX_CONNECTIONS (1000), plus Python's own (~24).
FILES_RESERVED = 1024
MAX_PROCESSES = 100_000  # where predict() stops looking
# layers_demo/membership.py: every chat socket renews its membership this often.
RENEW_INTERVAL_S = 10.0
# Redis commands of one group_add (a renewal) and of a connect plus its leave.
# Core: ZADD + EXPIRE, and ZREM to leave. Pub/sub subscribes a process to a
# group once, and keeps its members in memory. In-memory: no Redis at all.
CANNOT_SPAN = "the in-memory layer cannot reach another process"
REDIS_COMMANDS_PER_RENEWAL = {"core": 2, "pubsub": 0, "memory": 0}
REDIS_COMMANDS_PER_CONNECT = {"core": 3, "pubsub": 0, "memory": 0}
# Server CPU of one renewal (a group_add from a background task), used when the
# reference has no figure of its own (an idle server's "renewal_cpu_us").
# Measured: one Daphne on Redis core, 2,000 chat sockets idle for 20 s, their CPU
# less 2,000 echo sockets' over the same time, ÷ 4,000 renewals (2 cores, 2026-11).
RENEWAL_CPU_US = 400.0
# The crowd: CPU µs per delivery added by each socket the receiving process
# holds. On the core layer every socket of a process waits on one asyncio.Lock
# (channels-redis's receive lock), and each delivery makes Lock.acquire() scan
# all its waiters (`all(w.cancelled() for w in self._waiters)`, then
# deque.remove). Measured: a room of 100 on one Daphne, with 0, 1,000 and 3,000
# other sockets open: 185, 235, 362 µs per delivery (rooms of 300: 187, 199, 270).
# Pub/sub gives each channel its own queue: no shared lock. In-memory: not measured.
# A reference's fan-out section may carry its own: "crowd_cpu_us_per_socket": {layer: µs}.
CROWD_CPU_US_PER_SOCKET = {"core": 0.045, "pubsub": 0.0, "memory": 0.0}


@dataclass(frozen=True)
class Costs:
    """What one server process on one layer costs, as the reference run measured it."""

    server: str
    layer: str
    baseline_rss_mb: float  # a process with no sockets
    kib_per_socket: float  # RSS added by each open socket
    connect_cpu_ms: float  # server CPU of one handshake (and its join)
    idle_cpu_us_per_socket: float  # CPU µs per second an idle open socket costs
    delivery_cpu_us: dict[int, float]  # room size -> CPU µs per delivery, the room alone in one process
    crowd_cpu_us_per_socket: float = 0.0  # CPU µs per delivery for each socket its process holds
    extra_process_cpu_us: float = 0.0  # CPU µs per broadcast for each further process the room spans
    redis_per_broadcast: float = 0.0  # Redis commands of one broadcast, whole room in one process
    redis_per_extra_process: float = 0.0  # Redis commands per broadcast for each further process
    renewal_cpu_us: float = RENEWAL_CPU_US
    redis_per_renewal: float = 0.0
    redis_per_connect: float = 0.0

    def room_delivery(self, room_size: float) -> float:
        """CPU µs per delivery of a room alone in one process: log-linear between the measured sizes.

        Beyond the measured sizes the nearest segment's line goes on (a smaller
        room pays its fixed cost per broadcast over fewer deliveries); with one
        measured size, that size's figure.
        """
        sizes = sorted(self.delivery_cpu_us)
        if len(sizes) == 1:
            return self.delivery_cpu_us[sizes[0]]
        # The segment [low, high] that holds room_size, or the end one nearest to it.
        index = next((i for i in range(1, len(sizes) - 1) if room_size <= sizes[i]), len(sizes) - 1)
        low, high = sizes[index - 1], sizes[index]
        fraction = (math.log(room_size) - math.log(low)) / (math.log(high) - math.log(low))
        return self.delivery_cpu_us[low] + fraction * (self.delivery_cpu_us[high] - self.delivery_cpu_us[low])

    def delivery_at(self, room_size: float, per_process: float) -> float:
        """CPU µs per delivery in a room of `room_size` on a process holding `per_process` sockets.

        The measured room held its process alone (room_size sockets): the crowd
        term adds (or takes off) what the process's other sockets cost.
        """
        crowd = self.crowd_cpu_us_per_socket * (per_process - room_size)
        return max(0.0, self.room_delivery(room_size) + crowd)


@dataclass(frozen=True)
class Load:
    """The traffic to plan for, and the limits of the machines it will run on."""

    sockets: int
    room_size: int
    broadcasts_per_s: float
    connects_per_s: float = 0.0  # steady churn; a reconnect storm is reported separately
    cores_per_process: float = 1.0  # Daphne runs one event loop: more than 1 buys nothing
    memory_gb: float = 16.0  # memory one process may use (its container's limit, or its share)
    open_files: int = 65536  # `ulimit -n` of each process
    redis_ops_per_s: float = REDIS_OPS_PER_S
    processes: int | None = None  # a fixed count (to check a run); None: as many as the limits demand


@dataclass
class Prediction:
    processes: int
    demands: dict[str, int]  # limit -> processes it alone demands: "CPU", "memory", "open files"
    binds: str  # the limit that binds first ("Redis" when one Redis cannot carry the load)
    rooms: float
    deliveries_per_s: float
    spanned: float  # processes a room's sockets are spread over, on average
    cpu_terms: dict[str, float]  # name -> cores
    rss_total_mb: float
    rss_per_process_mb: float
    redis_terms: dict[str, float]  # name -> commands/s
    redis_servers: float  # Redis servers' worth of commands, at REDIS_HEADROOM
    reconnect_storm_s: float  # every socket reconnecting at once, on all processes' CPU
    notes: list[str] = field(default_factory=list)

    @property
    def cpu_cores(self) -> float:
        return sum(self.cpu_terms.values())

    @property
    def redis_commands_per_s(self) -> float:
        return sum(self.redis_terms.values())


def spanned_processes(processes: int, room_size: int) -> float:
    """Expected number of processes holding at least one of a room's sockets, placed at random."""
    return processes * (1 - (1 - 1 / processes) ** room_size)


def cpu_terms(load: Load, costs: Costs, processes: int) -> dict[str, float]:
    """The CPU the load needs, in cores, term by term."""
    span = spanned_processes(processes, load.room_size)
    delivery = costs.delivery_at(load.room_size, load.sockets / processes)
    return {
        "idle sockets": load.sockets * costs.idle_cpu_us_per_socket / 1e6,
        "deliveries": load.broadcasts_per_s * load.room_size * delivery / 1e6,
        "further processes": load.broadcasts_per_s * (span - 1) * costs.extra_process_cpu_us / 1e6,
        "membership renewals": load.sockets / RENEW_INTERVAL_S * costs.renewal_cpu_us / 1e6,
        "connects": load.connects_per_s * costs.connect_cpu_ms / 1e3,
    }


def predict(load: Load, costs: Costs) -> Prediction:
    """Processes, memory, CPU and Redis for `load` at `costs`, and which limit binds first."""
    memory_mb = load.memory_gb * 1024 * MEMORY_HEADROOM
    socket_mb = load.sockets * costs.kib_per_socket / 1024
    # Each process: baseline + its share of the sockets <= memory_mb.
    if memory_mb > costs.baseline_rss_mb:
        by_memory = math.ceil(socket_mb / (memory_mb - costs.baseline_rss_mb))
    else:
        by_memory = sys.maxsize  # the bare process does not even fit
    by_files = math.ceil(load.sockets / max(1, load.open_files - FILES_RESERVED))
    per_process_cores = load.cores_per_process * CPU_HEADROOM
    # More processes take CPU off each (fewer sockets crowd each process) and add
    # some (a room spans more of them): from what the other limits demand, the
    # fewest processes whose CPU fits.
    processes = load.processes or min(max(1, by_memory, by_files), MAX_PROCESSES)
    by_cpu = math.ceil(sum(cpu_terms(load, costs, processes).values()) / per_process_cores)
    while not load.processes and by_cpu > processes and processes < MAX_PROCESSES:
        processes += 1
        by_cpu = math.ceil(sum(cpu_terms(load, costs, processes).values()) / per_process_cores)
    demands = {"CPU": max(1, by_cpu), "memory": max(1, by_memory), "open files": max(1, by_files)}
    span = spanned_processes(processes, load.room_size)
    redis_terms = {
        "broadcasts": load.broadcasts_per_s * costs.redis_per_broadcast,
        "further processes": load.broadcasts_per_s * (span - 1) * costs.redis_per_extra_process,
        "membership renewals": load.sockets / RENEW_INTERVAL_S * costs.redis_per_renewal,
        "connects": load.connects_per_s * costs.redis_per_connect,
    }
    redis_servers = sum(redis_terms.values()) / (load.redis_ops_per_s * REDIS_HEADROOM)
    binds = max(demands, key=demands.get)
    notes = []
    if redis_servers > 1:
        binds = "Redis"
        notes.append(f"one Redis carries {redis_servers:.1f}× what it should: shard it (lesson 15), or use pub/sub")
    if costs.layer == "core" and span >= 2:
        notes.append(
            f"a room's sockets sit on {span:.1f} processes, so each broadcast goes through Redis as {span:.1f} copies; "
            "sending each room to one process (nginx: `hash $request_uri consistent`) makes it one"
        )
    if costs.layer == "memory" and processes > 1:
        notes.append(f"{CANNOT_SPAN}: this load needs {processes} processes, so it needs Redis")
    terms = cpu_terms(load, costs, processes)
    storm_s = load.sockets * costs.connect_cpu_ms / 1e3 / (processes * per_process_cores)
    return Prediction(
        processes=processes,
        demands=demands,
        binds=binds,
        rooms=load.sockets / load.room_size,
        deliveries_per_s=load.broadcasts_per_s * load.room_size,
        spanned=span,
        cpu_terms=terms,
        rss_total_mb=processes * costs.baseline_rss_mb + socket_mb,
        rss_per_process_mb=costs.baseline_rss_mb + socket_mb / processes,
        redis_terms=redis_terms,
        redis_servers=redis_servers,
        reconnect_storm_s=storm_s,
        notes=notes,
    )


def costs_from_reference(reference: dict, server: str = "daphne", layer: str = "core") -> Costs:
    """The Costs of `server` on `layer` from a scale run's results ({"idle": ..., "fanout": ...})."""
    idle = next((entry for entry in reference["idle"]["servers"] if entry["server"] == server), None)
    if idle is None:
        names = [entry["server"] for entry in reference["idle"]["servers"]]
        raise ValueError(f"the reference measured no server {server!r}; it has {names}")
    # idle_cpu_percent is of all the idle sockets the section held: its "held", else its largest step.
    held = idle.get("held") or max(int(count) for count in idle["rss_mb"])
    idle_cpu_us_per_socket = idle["idle_cpu_percent"] / 100 * 1e6 / held
    rows = [
        row
        for row in reference["fanout"]["rows"]
        if row.get("layer") == layer
        and row.get("status", "ok") == "ok"
        and row.get("cpu_us_per_delivery") is not None
        and not row.get("missing_deliveries")  # a broadcast that timed out was not all delivered: not its cost
    ]
    one = {row["room"]: row for row in rows if row["processes"] == 1}
    if not one:
        raise ValueError(f"the reference has no one-process fan-out row on layer {layer!r}")
    crowd = reference["fanout"].get("crowd_cpu_us_per_socket", CROWD_CPU_US_PER_SOCKET).get(layer, 0.0)
    # A room split over P processes costs P - 1 further copies per broadcast more than
    # the room alone in one process, and its sockets crowd each process less. Each row
    # against the one-process row of its room, in µs per delivery as measured:
    # difference = extra × (P - 1) / room. A per-delivery figure is about as noisy at
    # every room size, so the small rooms, where one more copy shows most, count most.
    cpu_points, redis_points = [], []
    for row in rows:
        if row["processes"] > 1 and row["room"] in one:
            base, room, further = one[row["room"]], row["room"], row["processes"] - 1
            less_crowd = crowd * (room / row["processes"] - room)  # negative: fewer sockets per process
            difference = row["cpu_us_per_delivery"] - base["cpu_us_per_delivery"] - less_crowd
            cpu_points.append((further / room, difference))
            if row.get("redis_commands_per_broadcast") is not None and base.get("redis_commands_per_broadcast"):
                extra = row["redis_commands_per_broadcast"] - base["redis_commands_per_broadcast"]
                redis_points.append((further / room, extra / room))
    per_broadcast = [row["redis_commands_per_broadcast"] for row in one.values()]
    per_broadcast = [value for value in per_broadcast if value is not None]
    return Costs(
        server=server,
        layer=layer,
        baseline_rss_mb=idle["baseline_rss_mb"],
        kib_per_socket=idle["kib_per_socket"],
        connect_cpu_ms=idle["connect_cpu_ms"],
        idle_cpu_us_per_socket=idle_cpu_us_per_socket,
        delivery_cpu_us={room: row["cpu_us_per_delivery"] for room, row in sorted(one.items())},
        crowd_cpu_us_per_socket=crowd,
        # Noise can make a split room cheaper than one process: never a negative cost.
        extra_process_cpu_us=max(0.0, slope(cpu_points)),
        # The median: one room's count thrown by something else using Redis moves it least.
        redis_per_broadcast=statistics.median(per_broadcast) if per_broadcast else 0.0,
        redis_per_extra_process=max(0.0, slope(redis_points)),
        renewal_cpu_us=renewal_cpu_us(rows, idle_cpu_us_per_socket) or idle.get("renewal_cpu_us", RENEWAL_CPU_US),
        redis_per_renewal=REDIS_COMMANDS_PER_RENEWAL.get(layer, 0),
        redis_per_connect=REDIS_COMMANDS_PER_CONNECT.get(layer, 0),
    )


def slope(points: list[tuple[float, float]]) -> float:
    """k for the line y = k × x through the origin nearest the points (least squares): Σ x·y / Σ x²."""
    squares = sum(x * x for x, _ in points)
    return sum(x * y for x, y in points) / squares if squares else 0.0


def renewal_cpu_us(rows: list[dict], idle_cpu_us_per_socket: float) -> float | None:
    """CPU µs of one membership renewal, from the fan-out rows' quiet windows; None if none renewed.

    A quiet window's CPU/s is the room's sockets idling plus its renewals
    (`quiet_renewals_per_s`, counted in Redis: core only). Over every row that
    renewed: (all quiet CPU µs/s - the sockets' idle µs/s) / all renewals/s.
    """
    renewing = [row for row in rows if (row.get("quiet_renewals_per_s") or 0) > 0]
    renewals = sum(row["quiet_renewals_per_s"] for row in renewing)
    if not renewals:
        return None
    cpu = sum(row["quiet_cpu_percent"] / 100 * 1e6 - row["room"] * idle_cpu_us_per_socket for row in renewing)
    return max(0.0, cpu / renewals)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def render(load: Load, costs: Costs, prediction: Prediction, source: str) -> list[str]:
    """The table a student reads: each limit's need, what one process gives, the processes it demands."""
    p = prediction
    gb_total, gb_each = p.rss_total_mb / 1024, p.rss_per_process_mb / 1024
    rows = [
        [
            "CPU",
            f"{p.cpu_cores:.2f} cores",
            f"{load.cores_per_process * CPU_HEADROOM:.2f} core ({load.cores_per_process:g} at ≤ {CPU_HEADROOM:.0%})",
            number(p.demands["CPU"]),
        ],
        [
            "memory (RSS)",
            f"{gb_total:.1f} GB, {gb_each:.2f} GB per process",
            f"{load.memory_gb * MEMORY_HEADROOM:.1f} GB ({load.memory_gb:g} at ≤ {MEMORY_HEADROOM:.0%})",
            number(p.demands["memory"]),
        ],
        [
            "open files",
            f"{number(load.sockets)} sockets",
            f"{number(load.open_files - FILES_RESERVED)} ({number(load.open_files)} less {FILES_RESERVED} for Redis and Python)",
            number(p.demands["open files"]),
        ],
        [
            "Redis",
            f"{number(p.redis_commands_per_s)} commands/s",
            f"one Redis: {number(load.redis_ops_per_s * REDIS_HEADROOM)}/s ({number(load.redis_ops_per_s)} at ≤ {REDIS_HEADROOM:.0%})",
            f"{p.redis_servers:.2f} Redis servers' worth",
        ],
    ]
    per_process = load.sockets / p.processes
    measured = ", ".join(f"{room}: {cpu:g} µs" for room, cpu in costs.delivery_cpu_us.items())
    lines = [
        f"Capacity of {costs.server} on the {costs.layer} layer: {number(load.sockets)} sockets in rooms of "
        f"{load.room_size} ({number(p.rooms)} rooms), {number(load.broadcasts_per_s, 1)} broadcasts/s "
        f"({number(p.deliveries_per_s)} deliveries/s); costs from {source}.",
        "",
        table(["resource", "needs", "one process gives", "processes it demands"], rows),
        "",
        f"Processes: {p.processes}. Binds first: {p.binds}.",
        "",
        "How each figure is made, at that many processes:",
        "- CPU, cores: " + ", ".join(f"{name} {value:.2f}" for name, value in p.cpu_terms.items() if value),
        f"  - a delivery: {costs.room_delivery(load.room_size):.1f} µs for a room of {load.room_size} alone in a "
        f"process (log-linear between the measured rooms, {measured}) + {costs.crowd_cpu_us_per_socket:g} µs for "
        f"each of the process's {number(per_process - load.room_size)} other sockets (the crowd) "
        f"= {costs.delivery_at(load.room_size, per_process):.1f} µs",
        f"  - a room spans {p.spanned:.1f} processes: {costs.extra_process_cpu_us:.0f} µs per broadcast for each "
        f"further one; each socket renews its membership every {RENEW_INTERVAL_S:g} s "
        f"({costs.renewal_cpu_us:g} µs) and idles at {costs.idle_cpu_us_per_socket:.2f} µs/s",
        "- Redis, commands/s: "
        + ", ".join(f"{name} {number(value)}" for name, value in p.redis_terms.items() if value),
        f"  - {costs.redis_per_broadcast:.1f} per broadcast, {costs.redis_per_extra_process:.1f} more for each further "
        f"process the room spans, {costs.redis_per_renewal:g} per renewal",
        f"- Memory: {costs.baseline_rss_mb:.0f} MB per process + {costs.kib_per_socket:.1f} KiB per socket",
        f"- Headroom: CPU at most {CPU_HEADROOM:.0%}, memory {MEMORY_HEADROOM:.0%}, Redis {REDIS_HEADROOM:.0%} "
        f"of what it has; {FILES_RESERVED} files per process kept for its Redis pool and Python",
        f"- A reconnect storm (every socket at once, {costs.connect_cpu_ms:g} ms CPU each) takes "
        f"{p.reconnect_storm_s:.0f} s on {p.processes} processes",
    ]
    # A load the chosen layer cannot serve at all is said first, before any figure is read as an answer.
    first = [note for note in p.notes if note.startswith(CANNOT_SPAN)]
    if first:
        lines[1:1] = ["", f"First: {first[0]} (--layer core or --layer pubsub); the figures below assume it could."]
    return lines + [f"Note: {note}." for note in p.notes if note not in first]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, required=True, help="open sockets, all processes together")
    parser.add_argument("--room-size", type=int, required=True, help="sockets per room")
    parser.add_argument("--broadcasts", type=float, required=True, help="chat messages per second, all rooms")
    parser.add_argument("--connects", type=float, default=0.0, help="new sockets per second (churn)")
    parser.add_argument("--server", default="daphne")
    parser.add_argument("--layer", default="core", choices=["memory", "core", "pubsub"])
    parser.add_argument("--cores-per-process", type=float, default=1.0)
    parser.add_argument("--memory-gb", type=float, default=16.0, help="memory one process may use")
    parser.add_argument("--open-files", type=int, default=65536, help="ulimit -n of each process")
    parser.add_argument("--redis-ops", type=float, default=REDIS_OPS_PER_S, help="commands/s one Redis carries")
    parser.add_argument("--processes", type=int, help="check a fixed number of processes instead")
    parser.add_argument("--reference", type=Path, default=REFERENCE, help="a scale run's JSON")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not args.reference.exists():
        print(f"no reference run at {args.reference}: run `python -m bench.scale.run` first", file=sys.stderr)
        return 2
    costs = costs_from_reference(json.loads(args.reference.read_text()), args.server, args.layer)
    load = Load(
        sockets=args.sockets,
        room_size=args.room_size,
        broadcasts_per_s=args.broadcasts,
        connects_per_s=args.connects,
        cores_per_process=args.cores_per_process,
        memory_gb=args.memory_gb,
        open_files=args.open_files,
        redis_ops_per_s=args.redis_ops,
        processes=args.processes,
    )
    source = args.reference.relative_to(REPO_DIR) if args.reference.is_relative_to(REPO_DIR) else args.reference
    print("\n".join(render(load, costs, predict(load, costs), str(source))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
