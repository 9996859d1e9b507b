"""A warm interpreter: modules imported once, each process a test asks for a fork of it running `python -m <module>`
(or `python <script>`, e.g. manage.py).

The suite starts about 150 Daphnes and the kit's proof about 70 pytest runs. As fresh
processes each paid for its interpreter and its imports (Django, Channels, Twisted,
autobahn, psycopg, pytest): a Daphne 1.4 CPU-seconds, most of it before it listens, on
CI's 2-core machine, where CPU is what CI waits for. Here one process imports them once
(`python -m harness.warm MODULE...`, started by WarmProcesses) and forks a child for
each request, which becomes `python -m <module> <args>` with the request's environment,
working folder and output file. The parent imports nothing that reads settings: the
course's settings, database and channel layer are the child's own, read after the fork
from the child's environment. Nothing may import twisted.internet.reactor here either:
Daphne installs its asyncio reactor on import (daphne/server.py), in the child.

Protocol, one JSON object a line: the client writes {"id", "module", "args", "env",
"cwd", "out", "nofile"} to start a child (nofile: the client's open-files limits, which the child
takes, as a child the client started itself would inherit them; "script" instead of "module" runs a
file as `python <script>` does; "err", if given, takes stderr apart from "out"), or {"signal", "pid", "group"} to
signal one (or its group); the server answers {"id", "pid"} when the child is forked and
{"id", "status"} when it has exited. The server reaps its children and signals them itself,
so a signal never reaches a PID that was reused. A child leads its own process group (os.killpg
ends what it started). When the client closes the server's stdin, the server terminates its
children, waits for them, and exits.
"""

import gc
import importlib
import json
import os
import random
import runpy
import selectors
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent  # where `-m harness.warm` is found


def named(name: str) -> None:
    """Show this process as `name` in ps, top and process accounting (Linux keeps 15 characters), not as python.

    A run of the suite has a dozen Python processes at once; a fork named "warm daphne" or
    "warm pytest" says which is which without reading /proc/PID/cmdline.
    """
    try:
        with open("/proc/self/comm", "w") as comm:
            comm.write(name[:15])
    except OSError:  # not Linux: the name stays python's
        pass


def open_files_limit(soft: int, hard: int) -> None:
    """This process's open-files limits made the client's, as a child of its own started then would inherit them.

    The server forked the child, so the child has the limits the server started with; a client that lowered
    its soft limit for one server (lesson 14's ceiling probe) wants that server to run out of files where
    it would. A hard limit above this process's own needs privileges: then the soft one alone is the client's.
    """
    import resource

    own_hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, own_hard), own_hard))


def client_limits() -> list[int] | None:
    """The calling process's soft and hard open-files limits, which a child of its own would inherit (POSIX)."""
    try:
        import resource
    except ImportError:  # Windows: no fork, no warm server either
        return None
    return list(resource.getrlimit(resource.RLIMIT_NOFILE))


def child(request: dict, own_pythonpath: list[str]) -> None:
    """In the forked child: become `python -m <module> <args>` (or `python <script> <args>`) as `request` says, and
    exit with its status."""
    try:
        os.setsid()
        script = request.get("script")
        named(f"warm {Path(script).name if script else request['module']}")
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) if "err" in request else out
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.closerange(3, 256)  # the server's pipes: a child must not hold them open
        env = request["env"]
        unbuffered = bool(env.get("PYTHONUNBUFFERED"))  # as `python -u`: each write reaches the file at once
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the child's own standard streams, for its life
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stdout.reconfigure(write_through=unbuffered)
        sys.stderr.reconfigure(write_through=True)
        os.environ.clear()
        os.environ.update(env)
        if "nofile" in request:
            open_files_limit(*request["nofile"])
        sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
        os.chdir(request["cwd"])
        # sys.path as `python -m` in that folder (or `python <script>`) with that PYTHONPATH would have it: the folder
        # (the script's own) first, then PYTHONPATH.
        rest = [entry for entry in sys.path[1:] if entry not in own_pythonpath]
        pythonpath = [entry for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry]
        first = str(Path(request["cwd"], script).resolve().parent) if script else request["cwd"]
        sys.path[:] = [first, *pythonpath, *rest]
        random.seed()  # not the parent's sequence, shared by every child
        if script:
            sys.argv = [script, *request["args"]]
            runpy.run_path(script, run_name="__main__")
        else:
            sys.argv = [request["module"], *request["args"]]
            runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        status = 0
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        if not isinstance(exit.code, int | None):
            print(exit.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - whatever broke, the child must end with a status, not a second server
        import traceback

        traceback.print_exc()
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status)


def serve(preload: list[str]) -> None:
    """The server's loop: fork a child per request on stdin, signal on request, answer each fork and each exit."""
    named("warm server")
    # Ctrl-C in the client's terminal reaches this process too (its group): the client ends it by closing stdin,
    # after it has stopped its own children, never by a KeyboardInterrupt's traceback in the student's terminal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in preload:
        importlib.import_module(name)
    if "twisted.internet.reactor" in sys.modules:
        sys.exit("harness.warm: a preloaded module installed Twisted's default reactor; Daphne needs its own")
    if "django.conf" in sys.modules and sys.modules["django.conf"].settings.configured:
        sys.exit("harness.warm: a preloaded module read Django's settings; each child must read its own")
    # What the preload made is never garbage: frozen, no child's collection walks it again (a check run's first
    # gc.collect() walked every object of the parent's, a twentieth of the kit's proof), nor writes to its pages.
    gc.freeze()
    own_pythonpath = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
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

    def reap() -> None:
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            if pid in running:
                answer({"id": running.pop(pid), "status": os.waitstatus_to_exitcode(status)})

    while stdin_open or running:
        for key, _ in selector.select():
            if key.fileobj == 0:
                chunk = os.read(0, 65536)  # not sys.stdin.readline(): its buffer would hide a second line from select
                if not chunk:
                    stdin_open = False
                    selector.unregister(0)
                    for pid in running:  # the client is gone: so are the servers it left running
                        os.kill(pid, signal.SIGTERM)
                    continue
                *lines, unread = (unread + chunk).split(b"\n")
                for line in lines:
                    request = json.loads(line)
                    if "signal" in request:
                        reap()  # a child that has exited is answered first; its PID is never signalled
                        if request["pid"] in running:
                            kill = os.killpg if request.get("group") else os.kill
                            kill(request["pid"], request["signal"])
                        continue
                    pid = os.fork()
                    if pid == 0:
                        child(request, own_pythonpath)
                    running[pid] = request["id"]
                    answer({"id": request["id"], "pid": pid})
            else:
                os.read(waker_read, 4096)
        reap()


class WarmProcess:
    """A child of the warm server, used as a subprocess.Popen is: pid, poll(), wait(), terminate(), kill()."""

    def __init__(self, warm: "WarmProcesses", pid: int, exited: Future):
        self.warm, self.pid, self.exited = warm, pid, exited

    @property
    def returncode(self) -> int | None:
        return self.exited.result() if self.exited.done() else None

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        try:
            return self.exited.result(timeout)
        except TimeoutError:
            raise subprocess.TimeoutExpired(f"python -m ... (pid {self.pid})", timeout) from None

    def send_signal(self, number: int) -> None:
        if not self.exited.done():
            self.warm.signal(self.pid, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class WarmProcesses:
    """The client: one warm server with `preload` imported; `start` forks a child, from any thread."""

    def __init__(self, preload: list[str] | tuple[str, ...], env: dict[str, str] | None = None, nice: int = 0):
        """`nice` > 0: the server, and every child it forks, yields a core to the machine's other work.

        Added to the niceness the server was started with, as nice(1) adds it: setpriority() sets a value,
        and 5 set on a run already at 10 would raise it above the rest (as root) or be refused (as a user).
        """
        command = [sys.executable, "-m", "harness.warm", *preload]
        self.server = subprocess.Popen(
            command, cwd=REPO_DIR, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        if nice and hasattr(os, "setpriority"):  # before any child: the server forks only when asked, below
            os.setpriority(
                os.PRIO_PROCESS, self.server.pid, min(os.getpriority(os.PRIO_PROCESS, self.server.pid) + nice, 19)
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
                with self.lock:
                    self.pending.pop(message["id"], None)
        with self.lock:
            waiting = [future for pair in self.pending.values() for future in pair if not future.done()]
        for future in waiting:  # the server is gone: nothing waits for ever
            future.set_exception(RuntimeError("the warm server (harness/warm.py) exited"))

    def send(self, message: dict) -> None:
        self.server.stdin.write(json.dumps(message) + "\n")
        self.server.stdin.flush()

    def start(
        self,
        module: str,
        args: list[str],
        env: dict[str, str],
        cwd: Path,
        out: Path,
        err: Path | None = None,
        script: bool = False,
    ) -> WarmProcess:
        """`python -m module args` (`script`: `python module args`, module a file's path) in a fork, its output in
        the file `out` (its stderr in `err`, if given): a handle, once it is forked."""
        with self.lock:
            self.count += 1
            run_id = str(self.count)
            forked, exited = self.pending[run_id] = (Future(), Future())
            request = {"id": run_id, "args": args, "env": env, "cwd": str(cwd), "out": str(out)}
            request |= {"script" if script else "module": module} | ({"err": str(err)} if err else {})
            limits = client_limits()
            self.send(request | ({"nofile": limits} if limits else {}))
        return WarmProcess(self, forked.result(), exited)

    def signal(self, pid: int, number: int, group: bool = False) -> None:
        """Signal a child (`group`: its process group, all it started) unless it has already exited."""
        with self.lock:
            self.send({"signal": int(number), "pid": pid, "group": group})

    def alive(self) -> bool:
        return self.server.poll() is None

    def close(self) -> None:
        """No more children: the server terminates those still running, waits for them and exits."""
        if self.server.stdin and not self.server.stdin.closed:
            self.server.stdin.close()
        self.server.wait()
        self.reader.join()
        self.server.stdout.close()

    def __enter__(self) -> "WarmProcesses":
        return self

    def __exit__(self, *_) -> None:
        self.close()


if __name__ == "__main__":
    serve(sys.argv[1:])
