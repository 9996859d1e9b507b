"""Lesson 14's capacity model, from the command line: the processes a load needs, and why.

    python -m bench.capacity --sockets 1000000 --room-size 50 --broadcasts 2000
    python -m bench.capacity --sockets 20000 --room-size 300 --broadcasts 50 --server daphne --layer core \\
        --cores-per-process 1 --memory-gb 16 --open-files 65536 --reference bench/scale/reference.json

The model (bench/capacity/model.py) and its fit to the reference run
(bench/capacity/fit.py) explain themselves below, in --help.
"""

import argparse
import json
import sys
from pathlib import Path

from bench.capacity import fit, model
from bench.capacity.fit import REFERENCE, REPO_DIR, TOP_REFERENCE, costs_from_reference, learned_at_the_top
from bench.capacity.model import (
    CANNOT_SPAN,
    CPU_HEADROOM,
    FILES_RESERVED,
    MEMORY_HEADROOM,
    REDIS_HEADROOM,
    REDIS_OPS_PER_S,
    RENEW_INTERVAL_S,
    Costs,
    Load,
    Prediction,
    predict,
)
from bench.common.report import table


def number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def limits(load: Load, p: Prediction) -> str:
    """The table a student reads: each limit's need, what one process gives, the processes it demands."""
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
    return table(["resource", "needs", "one process gives", "processes it demands"], rows)


def render(load: Load, costs: Costs, prediction: Prediction, source: str) -> list[str]:
    """The limits' table, the processes it comes to, and how each figure is made."""
    p = prediction
    per_process = load.sockets / p.processes
    measured = ", ".join(f"{room}: {cpu:g} µs" for room, cpu in costs.delivery_cpu_us.items())
    lines = [
        f"Capacity of {costs.server} on the {costs.layer} layer: {number(load.sockets)} sockets in rooms of "
        f"{load.room_size} ({number(p.rooms)} rooms), {number(load.broadcasts_per_s, 1)} broadcasts/s "
        f"({number(p.deliveries_per_s)} deliveries/s); costs from {source}.",
        "",
        limits(load, p),
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
    parser = argparse.ArgumentParser(
        prog="python -m bench.capacity",
        description="\n".join([__doc__, model.__doc__, fit.__doc__]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    parser.add_argument(
        "--top", default=str(TOP_REFERENCE), help="a 100,000-socket run's JSON (bench/scale/top.py), or 'none'"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not args.reference.exists():
        print(f"no reference run at {args.reference}: run `python -m bench.scale.run` first", file=sys.stderr)
        return 2
    costs = costs_from_reference(json.loads(args.reference.read_text()), args.server, args.layer)
    source = shown(args.reference)
    top = Path(args.top)
    if args.top != "none" and top.exists():  # the terms 10,000 sockets could not show, measured at 100,000
        costs = learned_at_the_top(costs, json.loads(top.read_text()))
        source += f", corrected by {shown(top)}"
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
    print("\n".join(render(load, costs, predict(load, costs), source)))
    return 0


def shown(path: Path) -> str:
    """The path as a student types it: from the repository's root when inside it."""
    path = path.resolve()
    return str(path.relative_to(REPO_DIR) if path.is_relative_to(REPO_DIR) else path)
