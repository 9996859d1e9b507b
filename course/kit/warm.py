"""A warm interpreter for the kit's proof: pytest, Django and Channels imported once, each check run a fork of it.

The proof drives about seventy pytest runs of checks. As fresh processes, each paid
for its own interpreter and its imports (pytest and its plugins, Django, Channels,
Twisted under channels.testing, Hypothesis): 1.2 of the 2.1 CPU-seconds a run of 25
checks took to collect, on CI's 2-core machine, where CPU is what CI waits for. Here
one process imports them once (`python -m course.kit.warm`, started by WarmRuns) and
forks a child for each run, which runs `pytest.main` with the run's argv, environment
and working folder, its output in files, exactly as `python -m pytest` would. The
parent imports nothing of the course: settings, the database and the checked files
are the child's own, read after the fork from the child's environment.

Protocol, one JSON object a line: the client writes {"id", "args", "env", "cwd",
"out"}; the server answers {"id", "pid"} when the child is forked and {"id",
"status"} when it has exited. A child leads its own process group, so a run that
hangs is killed with all it started (os.killpg).
"""

import importlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

# What every check run imports before its first test, and none of which reads the course's settings on import.
# Nothing from a distribution that is a pytest plugin (pytest-django, pytest-asyncio, Hypothesis, ...): pytest
# rewrites the asserts of every module such a distribution ships as it loads the plugin, and warns (an error
# here) of one imported before it could.
PRELOAD = (
    "pytest",
    "_pytest.junitxml",
    "asgiref.sync",
    "django.db.models",
    "django.test",
    "channels.generic.websocket",
    "channels.layers",
    "channels.testing",
    "websockets",
)


def child(request: dict) -> None:
    """In the forked child: become the run `request` names, run pytest, and exit with its status. Never returns."""
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.closerange(3, 256)  # the server's pipes: a child must not hold them open
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the child's own standard streams, for its life
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(request["env"])
        sys.dont_write_bytecode = bool(request["env"].get("PYTHONDONTWRITEBYTECODE"))
        os.chdir(request["cwd"])
        sys.path[0] = request["cwd"]  # as `python -m pytest` puts its working folder first
        sys.argv = [sys.executable, "-m", "pytest", *request["args"]]
        import pytest

        status = int(pytest.main(request["args"]))
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    except BaseException:  # noqa: BLE001 - whatever broke, the run must end with a status, not a second server
        import traceback

        traceback.print_exc()
        status = 3
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def serve() -> None:
    """The server's loop: fork a child per request line on stdin, answer each fork and each exit on stdout."""
    for name in PRELOAD:
        importlib.import_module(name)
    waker_read, waker_write = os.pipe()
    os.set_blocking(waker_write, False)
    signal.set_wakeup_fd(waker_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that SIGCHLD writes to the wakeup fd
    running: dict[int, str] = {}
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    selector.register(waker_read, selectors.EVENT_READ)
    stdin_open, unread = True, b""

    def answer(message: dict) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    while stdin_open or running:
        for key, _ in selector.select():
            if key.fileobj == 0:
                chunk = os.read(0, 65536)  # not sys.stdin.readline(): its buffer would hide a second line from select
                if not chunk:
                    stdin_open = False
                    selector.unregister(0)
                    continue
                *lines, unread = (unread + chunk).split(b"\n")
                for line in lines:
                    request = json.loads(line)
                    pid = os.fork()
                    if pid == 0:
                        child(request)
                    running[pid] = request["id"]
                    answer({"id": request["id"], "pid": pid})
            else:
                os.read(waker_read, 4096)
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            if pid in running:
                answer({"id": running.pop(pid), "status": os.waitstatus_to_exitcode(status)})


HERE = Path(__file__).resolve().parents[2]  # the repository: where `-m course.kit.warm` is found


HERE = Path(__file__).resolve().parents[2]  # the repository: where `-m course.kit.warm` is found


class WarmRuns:
    """The client: one warm server, runs asked for from any thread; `run` waits for a run's exit status."""

    def __init__(self, env: dict[str, str]):
        command = [sys.executable, "-m", "course.kit.warm"]
        self.server = subprocess.Popen(
            command, cwd=HERE, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.lock = threading.Lock()
        self.pending: dict[str, tuple[Future, Future]] = {}
        self.count = 0
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self) -> None:
        for line in self.server.stdout:
            message = json.loads(line)
            forked, exited = self.pending[message["id"]]
            if "pid" in message:
                forked.set_result(message["pid"])
            else:
                exited.set_result(message["status"])
        for forked, exited in self.pending.values():  # the server is gone: no run waits for ever
            for future in (forked, exited):
                if not future.done():
                    future.set_exception(RuntimeError("the kit's warm server exited"))

    def run(self, args: list[str], env: dict[str, str], cwd: Path, out: Path, timeout: float) -> int | None:
        """pytest `args` in a fork: its exit status, or None when it ran over `timeout` s and was killed."""
        with self.lock:
            self.count += 1
            run_id = str(self.count)
            forked, exited = self.pending[run_id] = (Future(), Future())
            request = {"id": run_id, "args": args, "env": env, "cwd": str(cwd), "out": str(out)}
            self.server.stdin.write(json.dumps(request) + "\n")
            self.server.stdin.flush()
        pid = forked.result()
        try:
            return exited.result(timeout)
        except TimeoutError:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            exited.result()
            return None
        finally:
            self.pending.pop(run_id, None)

    def __enter__(self) -> "WarmRuns":
        return self

    def __exit__(self, *_) -> None:
        """No more runs: the server exits once its last child has."""
        self.server.stdin.close()
        self.server.wait()
        self.reader.join()
        self.server.stdout.close()


if __name__ == "__main__":
    serve()
