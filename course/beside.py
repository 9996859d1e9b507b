"""make test's runner: the main test run in the foreground, a second one beside it at low priority.

    python -m course.beside "<shell command to run beside>" <the main command and its arguments>

`make test` runs the whole suite (pytest -n ...) while the fast suite on Django 6
(`make test-django6`) runs beside it at nice 10, taking only the CPU the main run's waits
leave idle. The command beside gets a test database of its own (TEST_DATABASE_NAME in a
temporary folder): pytest-django names each xdist worker's SQLite file after the worker
(test_db.sqlite3_gw0), the same in both runs. Its output is held back and printed after
the main run's, so the two never interleave. The exit status is the main run's, or the
other's when the main run passed.

Why not a shell's `&`: a job a non-interactive shell starts in the background ignores
SIGINT, so Ctrl-C stopped the main run and left the other running on, unseen. Here both
are plain children in the terminal's foreground: Ctrl-C reaches each, each stops as pytest
stops (its fixtures stop the servers they started), and this process waits for both.
"""

import os
import signal
import subprocess
import sys
import tempfile

NICENESS = 10


def exit_status(returncode: int) -> int:
    """A shell's exit status: 128 + the signal's number for a run a signal ended (Popen says -2 for SIGINT)."""
    return 128 - returncode if returncode < 0 else returncode


def main(beside: str, command: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="beside-") as folder, tempfile.TemporaryFile() as held:
        env = {**os.environ, "TEST_DATABASE_NAME": os.path.join(folder, "test_db.sqlite3")}
        other = subprocess.Popen(
            beside, shell=True, env=env, stdout=held, stderr=subprocess.STDOUT, preexec_fn=lambda: os.nice(NICENESS)
        )
        first = subprocess.Popen(command)
        # Ctrl-C is for the two runs, which get it too: this process only waits for them to stop.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print(f"beside this run, at nice {NICENESS} (its report follows this one's): {beside}", flush=True)
        status, status_beside = (exit_status(run.wait()) for run in (first, other))
        held.seek(0)
        print(f"\n== {beside}, run beside the run above (exit status {status_beside}) ==", flush=True)
        sys.stdout.buffer.write(held.read())
        sys.stdout.flush()
    return status or status_beside


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit('usage: python -m course.beside "<shell command to run beside>" <main command...>')
    sys.exit(main(sys.argv[1], sys.argv[2:]))
