"""Lesson 14's scale harness: how many sockets one process holds, what a broadcast costs as rooms grow, and more.

    make bench-scale                                  # every section; top holds 100,000 sockets
    .venv/bin/python bench/scale/run.py --small       # the test's size: about 300 sockets, 2 processes
    .venv/bin/python bench/scale/run.py --only idle,fanout
    .venv/bin/python bench/scale/run.py --reference   # rewrite bench/scale/reference.json and .md

Sections run in this order, each a module of this folder (bench/scale/idle.py,
...) with TITLE, `async measure(small) -> dict` and `render(result) -> list[str]`:
idle, fastest, fanout, churn, storm, validate, top. validate's measure also gets the
earlier sections' results, which it checks the capacity model against. Each section's
Markdown is printed as it completes, with its wall time; every figure goes to
bench/scale/results-<time>.json (ignored by git) as
{"machine": ..., "<section>": ..., ...}. bench/README.md explains the figures.
"""

import argparse
import asyncio
import json
import os
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_DIR))  # run as a script: make `bench` and `lessons` importable
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")

from bench.common import machine  # noqa: E402
from bench.common.options import chosen  # noqa: E402
from bench.common.report import machine as describe  # noqa: E402
from bench.scale import churn, fanout, fastest, idle, storm, top, validate  # noqa: E402
from bench.scale.swarm import raise_open_files  # noqa: E402

# In the order they run: validate comes last because it reads the others' results.
SECTIONS = {
    **{"idle": idle, "fastest": fastest, "fanout": fanout, "churn": churn, "storm": storm, "validate": validate},
    "top": top,  # 100,000 sockets, the model checked there: it predicts from the reference, not this run
}
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="the test's size: about 300 sockets, 2 processes")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)}")
    parser.add_argument("--reference", action="store_true", help="write bench/scale/reference.json and .md")
    args = parser.parse_args(argv)
    args.only = chosen(parser, args.only, SECTIONS)
    return args


async def run_section(name: str, small: bool, results: dict) -> dict:
    """measure(small); validate's measure(small, results so far), since it checks the model against them."""
    if name == "validate":
        return await validate.measure(small, results)
    return await SECTIONS[name].measure(small)


def run(names: list[str], small: bool) -> tuple[dict, list[str]]:
    """Every section in order; the results and the Markdown, printed as each one completes."""
    results: dict = {"machine": machine.describe(REDIS_URL)}
    results["started"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["size"] = "small" if small else "full"
    results["wall_s"] = {}
    markdown = [describe(results["machine"]), ""]
    print(markdown[0] + "\n", flush=True)
    for name, module in SECTIONS.items():
        if name not in names:
            continue
        started = time.monotonic()
        try:
            results[name] = asyncio.run(run_section(name, small, results))
            lines = module.render(results[name])
        except Exception as error:  # one broken section must not hide the others' figures
            traceback.print_exc()
            results[name] = {"status": f"failed: {type(error).__name__}: {error}"}
            lines = [f"## {getattr(module, 'TITLE', name)}", "", results[name]["status"]]
        results["wall_s"][name] = round(time.monotonic() - started, 1)
        lines += ["", f"({name}: {results['wall_s'][name]} s)", ""]
        print("\n".join(lines), flush=True)
        markdown += lines
    return results, markdown


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    raise_open_files()  # thousands of sockets: the servers and client processes inherit the hard limit
    started = time.monotonic()
    results, markdown = run(args.only, args.small)
    results["total_s"] = round(time.monotonic() - started, 1)
    print(f"Total: {results['total_s']} s", flush=True)
    if args.reference:
        json_path, md_path = REPO_DIR / "bench/scale/reference.json", REPO_DIR / "bench/scale/reference.md"
        title = f"# Lesson 14's scale figures: one run of `make bench-scale`, {results['started']}"
        timing = ", ".join(f"{name} {seconds} s" for name, seconds in results["wall_s"].items())
        md_path.write_text(
            "\n".join([title, "", *markdown, f"Wall time: {timing}; {results['total_s']} s in all."]) + "\n"
        )
        print(f"Markdown written to {md_path}")
    else:
        json_path = REPO_DIR / f"bench/scale/results-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json"
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"JSON written to {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
