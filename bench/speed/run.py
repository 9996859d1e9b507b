"""Channels Lessons benchmark: how fast the tests, the echoes and the chat are, and what they cost.

    make bench                                   # everything, a few minutes on 2 cores
    .venv/bin/python bench/speed/run.py --quick        # fewer messages, N up to 100
    .venv/bin/python bench/speed/run.py --only echo,cost

Prints the machine and one table per section, and writes every figure as JSON
(bench/speed/results-<time>.json unless --json says otherwise). bench/README.md
explains each figure; bench/speed/reference.md is one committed run.
"""

import argparse
import json
import os
import resource
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_DIR))  # run as a script: make `bench` and `lessons` importable

from bench.common import machine, report  # noqa: E402
from bench.common.options import chosen  # noqa: E402
from bench.common.processes import redis_available, why_redis_is_missing  # noqa: E402
from bench.speed import cost, echo, fanout, inspector, loop, suite, workshop  # noqa: E402
from harness.servers import delete_prefixed_keys  # noqa: E402

SECTIONS = ("suite", "loop", "echo", "fanout", "cost", "inspector", "workshop")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer messages and rounds, fan-out to 10 and 100 only")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated sections (default: all of {SECTIONS})"
    )
    parser.add_argument("--json", type=Path, help="where to write the JSON (default: bench/speed/results-<time>.json)")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this Markdown file")
    parser.add_argument(
        "--reference", action="store_true", help="write bench/speed/reference.json and bench/speed/reference.md"
    )
    args = parser.parse_args(argv)
    args.only = chosen(parser, args.only, SECTIONS)
    if args.reference:
        args.json, args.markdown = REPO_DIR / "bench/speed/reference.json", REPO_DIR / "bench/speed/reference.md"
    return args


def raise_open_file_limit(wanted: int = 4096) -> None:
    """Fan-out to 500 sockets needs more than the common default of 1024 open files."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


def run_section(name: str, args, redis_url: str, redis_missing: str | None, prefix: str) -> dict:
    if name == "suite":
        return suite.run()
    if name == "loop":
        return loop.run()
    if name == "echo":
        return echo.run(args.quick)
    if name == "fanout":
        return fanout.run(redis_url, redis_missing, prefix, args.quick)
    if name == "inspector":
        return inspector.run(args.quick)
    if name == "workshop":
        return workshop.run(redis_url, redis_missing, prefix, args.quick)
    return cost.run(redis_url, redis_missing, prefix, args.quick)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    raise_open_file_limit()
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    have_redis = redis_available(redis_url)
    redis_missing = None if have_redis else why_redis_is_missing(redis_url)  # what the Redis rows will say
    prefix = f"bench-{uuid.uuid4().hex[:8]}"  # every Redis key this run writes starts with it
    command = "python bench/speed/run.py " + " ".join(argv) if argv else "make bench"
    results = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command.strip(),
        "machine": machine.describe(redis_url),
        "redis": redis_missing or f"{redis_url}, keys prefixed {prefix}*, deleted afterwards",
    }
    print(report.machine(results["machine"]) + "\n", flush=True)
    started = time.perf_counter()
    try:
        for name in args.only:
            print(f"... measuring {name}", file=sys.stderr, flush=True)
            results[name] = run_section(name, args, redis_url, redis_missing, prefix)
            print(report.section(name, results[name]), flush=True)
    finally:
        if have_redis:
            delete_prefixed_keys(redis_url, prefix)
    results["duration_s"] = round(time.perf_counter() - started)
    print("Headlines:\n" + "\n".join(f"- {line}" for line in report.headlines(results)))
    write(results, args)
    return 0


def write(results: dict, args) -> None:
    """The JSON always; the Markdown tables when asked."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    json_path = args.json or REPO_DIR / f"bench/speed/results-{stamp}.json"
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"JSON written to {json_path}")
    if args.markdown:
        args.markdown.write_text(report.document(results, args.only))
        print(f"Markdown written to {args.markdown}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
