"""Lesson 14's capacity model, fitted: the Costs of one server on one layer, read from a scale run.

The reference is bench/scale/reference.json, committed from `make bench-scale`;
bench/capacity/model.py multiplies the costs out.

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

import statistics
from dataclasses import replace
from pathlib import Path

from bench.capacity.model import (
    CROWD_CPU_US_PER_SOCKET,
    REDIS_COMMANDS_PER_CONNECT,
    REDIS_COMMANDS_PER_RENEWAL,
    RENEW_INTERVAL_S,
    RENEWAL_CPU_US,
    Costs,
)

REPO_DIR = Path(__file__).resolve().parents[2]
REFERENCE = REPO_DIR / "bench" / "scale" / "reference.json"
TOP_REFERENCE = REPO_DIR / "bench" / "scale" / "top-reference.json"
CROWD_TIMES_ROOM = 4


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


def learned_at_the_top(costs: Costs, top: dict) -> Costs:
    """`costs` with the terms the 100,000-socket run (bench/scale/top.py) measured where 10,000 got them wrong.

    What 10,000 sockets of one process could not show, read from the top run's layer (in-memory or Redis
    core; pub/sub ran no Daphne there, so its costs stay as they were):

        renewal CPU    (heartbeat µs/s a socket − the idle µs/s the reference measured) × renew interval:
                       an echo socket never renews, a chat socket renews every 10 s
        crowd          (CPU µs a delivery in a room of 1,000 − the room alone) ÷ the other sockets of its
                       process: on the in-memory layer every receive walks every channel and member
        KiB per socket the Daphnes' RSS growth ÷ sockets opened

    The crowd is learned only from a process whose other sockets were CROWD_TIMES_ROOM times the room; the CPU per open is
    not learned at all: a run on a shared machine inflates CPU-seconds per operation (lesson 14).
    """
    if top.get("status") != "ok" or costs.layer not in ("memory", "core"):
        return costs
    plan, measured = top["plan"], top["measured"]
    side = "memory" if costs.layer == "memory" else "redis"
    processes = plan[f"{side}_daphnes"]
    daphnes = plan["memory_daphnes"] + plan["redis_daphnes"]
    # Open on this layer's Daphnes: each opened its share (a run whose budget ran out reached fewer than planned).
    sockets = round(measured["open"].get("still_open", daphnes * plan["per_daphne"]) * processes / daphnes)
    beat = measured["heartbeat"]["memory_cores" if side == "memory" else "redis_daphne_cores"] * 1e6 / sockets
    room = measured["broadcast"][f"room_{side}"]
    room_size = room["expected"]
    spans = 1 if side == "memory" else processes  # a Redis room is split over every Redis Daphne
    per_process = room_size / spans
    alone = costs.room_delivery(room_size) + (spans - 1) * costs.extra_process_cpu_us / room_size
    others = sockets / processes - per_process  # the sockets each Daphne held besides the room's
    # A crowd a few times the room's size, or the difference is the machine's load more than the crowd.
    crowd = (room["cpu_us_per_delivery"] - alone) / others if others >= CROWD_TIMES_ROOM * per_process else None
    return replace(
        costs,
        renewal_cpu_us=max(0.0, (beat - costs.idle_cpu_us_per_socket) * RENEW_INTERVAL_S),
        crowd_cpu_us_per_socket=costs.crowd_cpu_us_per_socket if crowd is None else max(0.0, crowd),
        kib_per_socket=measured["open"]["server_kib_per_socket"],
    )
