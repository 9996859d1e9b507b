"""Lesson 14's capacity model: server processes, memory, CPU and Redis load for N sockets and M broadcasts/s.

A load is N sockets in rooms of S sockets, with M broadcasts per second (a
broadcast is one chat message to one room: S deliveries). The costs come from
the scale harness's reference run (bench/scale/reference.json, `python -m
bench.scale.run`): memory per socket and per process, CPU per connect, per idle
socket and per delivery, Redis commands per broadcast. predict() multiplies
them out and says which limit binds first: CPU, memory or open files per
process, or the one Redis every process shares.

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
"""

import math
import sys
from dataclasses import dataclass, field

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
