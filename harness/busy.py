"""Run a command beside a CPU hog on every core, as a workshop laptop runs it beside a browser and a video call.

    python -m harness.busy -- python -m pytest -n 3          # make test-busy
    python -m harness.busy --runs 5 -- python -m pytest -m slow   # make test-flaky: the same run 5 times

The hog is one busy loop per core, at the same (normal) priority as the
command, so the command gets about half of each core, and its waits, timers
and child processes all run late: a test whose verdict depends on the
machine's speed fails here rather than on a student's laptop. With --runs N
the command runs N times in a row (each a fresh process: fresh servers,
fresh ports) and every run's outcome is printed; the first failure does not
stop the others, and nothing is retried: a run that failed once is a flaky
test to fix (harness/patience.py holds the deadlines).

Exits with the first failing run's code, or 0 when every run passed.
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import time


def spin() -> None:
    """One core's worth of work that never waits: the hog."""
    while True:
        pass


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="run the command this many times in a row (default 1)")
    parser.add_argument("--hogs", type=int, default=cores(), help="busy loops beside it (default: one per core)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or args.runs < 1 or args.hogs < 0:
        parser.error("give --runs of 1 or more, --hogs of 0 or more, and a command after --")
    hogs = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.hogs)]
    for hog in hogs:
        hog.start()
    print(f"busy: {args.hogs} busy loop(s) beside the command on {cores()} core(s), {args.runs} run(s)", flush=True)
    outcomes: list[tuple[int, float]] = []
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            code = subprocess.call(command)
            outcomes.append((code, time.monotonic() - started))
            print(f"busy: run {run} of {args.runs}: exit {code} after {outcomes[-1][1]:.0f} s", flush=True)
    finally:
        for hog in hogs:
            hog.terminate()
        for hog in hogs:
            hog.join()
    failed = [code for code, _ in outcomes if code != 0]
    print(f"busy: {len(outcomes) - len(failed)} of {len(outcomes)} run(s) passed beside the hog", flush=True)
    return failed[0] if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
