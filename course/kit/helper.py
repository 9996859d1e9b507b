"""The exercise helper: `manage.py exercise NN.K` run again and again, each check a fork of one warm interpreter.

The first `manage.py exercise NN.K` of a checkout runs its check cold, as it always did, prints its verdict,
then starts this helper in the background: `python -m course.kit.helper KEY`, in a session of its own. It
keeps one warm interpreter (course/kit/warm.py's STUDENT_PRELOAD: pytest, Django, Channels, the probes,
Hypothesis) and listens on a unix socket, .exercise-helper/KEY.sock, that only its user may open. Each
later run connects and asks for its pytest run, which the helper forks from that interpreter with the
run's own arguments, environment and files: the student's file and the check are imported afresh in each
fork, and the command makes its output from the fork's report exactly as from a cold run's (same verdict,
hints and workshop report).

KEY is the digest of what the warm interpreter was made from (kit_digest: the Python and its packages,
the requirements, the kit's and the probes' source): a changed checkout looks for another helper, and
this one ends as soon as it sees the change. It also ends after IDLE seconds without a run and on
`manage.py exercise --stop`; with EXERCISE_HELPER=0 none is started (every run is cold). A helper that
does not answer (killed, crashed, still starting) costs a cold run, after which a new one is started.

Protocol, one JSON object a line: {"run": {"args", "env", "cwd", "out", "err"}} is answered {"pid"} once
the run is forked and {"status"} once it has exited (status null: the warm interpreter is gone); a client
that closes its connection first has its run killed. {"stop": true} is answered {"stopped": pid} once the
helper has let everything go, just before it exits.
"""

import hashlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

from course.kit.warm import WarmGone, WarmRuns, student_runs
from exercises.targets import REPO_DIR
from harness.patience import SERVER_STOP

try:
    import fcntl
except ImportError:  # Windows: no fork either, so no helper (enabled())
    fcntl = None

VARIABLE = "EXERCISE_HELPER"  # "0": no helper, every run cold
FOLDER_VARIABLE = "EXERCISE_HELPER_DIR"  # where the helper's socket, lock and log are: .exercise-helper/ unless set
IDLE = 600  # seconds without a run, and the helper ends
CHECK_EVERY = 5  # seconds between the helper's looks at its checkout (changed?) and its idle time
# What the warm interpreter imported, or what decides what it imports: a change to any of them is another helper.
SOURCES = (
    "requirements*.txt",
    "pyproject.toml",
    "harness/*.py",
    "course/kit/*.py",
    "exercises/__init__.py",
    "exercises/targets.py",
    "exercises/probes/*.py",
)
LONGEST_SOCKET_PATH = 100  # bytes: a unix socket's path must fit in 104 (macOS) or 108 (Linux)


def folder() -> Path:
    return Path(os.environ.get(FOLDER_VARIABLE) or REPO_DIR / ".exercise-helper")


def kit_digest() -> str:
    """What a warm interpreter is made from, as 16 hex digits: the Python, its packages, the kit's source.

    Packages are seen by their folders' modification times (pip adds or removes a folder for each install),
    and the source by its content (a file touched but unchanged is no change); COURSE_PATIENCE too, which
    the probes read as they are imported.
    """
    digest = hashlib.sha256(f"{sys.executable}\0{sys.version}\0{os.environ.get('COURSE_PATIENCE', '')}".encode())
    places = [Path(sys.prefix, "pyvenv.cfg"), *(Path(entry) for entry in sys.path if entry.endswith("-packages"))]
    for place in places:
        with suppress(OSError):
            digest.update(f"\0{place}:{place.stat().st_mtime_ns}".encode())
    for pattern in SOURCES:
        for path in sorted(REPO_DIR.glob(pattern)):
            digest.update(f"\0{path.relative_to(REPO_DIR).as_posix()}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def enabled() -> bool:
    """Whether plain runs may use (and start) a helper: not with EXERCISE_HELPER=0, nor without fork or unix sockets."""
    possible = hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and fcntl is not None
    fits = len(str(folder())) + len("/0123456789abcdef.sock") <= LONGEST_SOCKET_PATH  # else cold, as without one
    return os.environ.get(VARIABLE, "1") != "0" and possible and fits


class Helper:
    """This checkout's helper, as a run sees it: `run` as WarmRuns.run does; `gone` once it did not answer."""

    def __init__(self, key: str | None = None):
        self.key = key or kit_digest()
        self.gone = False

    def run(
        self, args: list[str], env: dict[str, str], cwd: Path, out: Path, timeout: float, err: Path | None = None
    ) -> int | None:
        """pytest `args` in a fork of the helper's interpreter: its exit status, None if over `timeout` (then killed).

        WarmGone if no helper answers: none started yet, one still starting, killed or crashed.
        """
        request = {"run": {"args": args, "env": env, "cwd": str(cwd), "out": str(out), "err": str(err or out)}}
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with connection:
            try:
                connection.connect(str(folder() / f"{self.key}.sock"))
                connection.sendall(json.dumps(request).encode() + b"\n")
                connection.settimeout(timeout)  # closing the connection, below, ends a run over its time
                answers = connection.makefile("r", encoding="utf-8")
                json.loads(answers.readline())["pid"]  # noqa: B018 - forked; an empty line (helper gone) fails here
                status = json.loads(answers.readline())["status"]
            except TimeoutError:
                return None
            except (OSError, ValueError, KeyError) as error:
                self.gone = True
                raise WarmGone(f"no exercise helper answered: {error}") from error
        if status is None:
            self.gone = True
            raise WarmGone("the exercise helper's warm interpreter is gone")
        return status


def holder(key: str) -> int | None:
    """The PID of the helper that holds KEY's lock, or None if no process does (none started, or it has ended)."""
    if fcntl is None:
        return None
    try:
        lock = open(folder() / f"{key}.lock")  # noqa: SIM115 - closed below, which lets go of a lock taken here
    except FileNotFoundError:
        return None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return int(lock.read().strip() or 0) or None
        return None


def ended(pid: int, timeout: float) -> bool:
    """Wait up to `timeout` s for the process `pid` (not a child of this one) to end: True once it has."""
    try:
        watched = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    except (AttributeError, OSError):  # no pidfd (macOS, an old Linux): ask the process, a tenth of a second apart
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.1)
        return False
    try:
        return bool(select.select([watched], [], [], timeout)[0])
    finally:
        os.close(watched)


def stop(keep: str | None = None) -> list[int]:
    """End every helper of this checkout but `keep`'s: each asked to stop, killed if it has not within SERVER_STOP.

    The PIDs of the helpers that were running. The files of a helper that is not running are removed.
    """
    stopped = []
    for lock in sorted(folder().glob("*.lock")):
        key = lock.stem
        if key == keep:
            continue
        pid = holder(key)
        if pid is not None:
            with suppress(OSError, ValueError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(SERVER_STOP)
                connection.connect(str(folder() / f"{key}.sock"))
                connection.sendall(b'{"stop": true}\n')
                connection.makefile("r").readline()  # {"stopped": pid}: it has let go of everything
            if not ended(pid, SERVER_STOP) and holder(key) == pid:  # it never answered: hung, or stopped (SIGSTOP)
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                ended(pid, SERVER_STOP)
            stopped.append(pid)
        if holder(key) is None:
            for name in (f"{key}.sock", f"{key}.lock", f"{key}.log"):
                with suppress(FileNotFoundError):
                    (folder() / name).unlink()
    return stopped


STARTED: list[subprocess.Popen] = []  # this process's helpers: kept, so that none is reported as left running


def start(key: str) -> None:
    """Start KEY's helper in the background, in a session of its own (no Ctrl-C or closed terminal reaches it).

    Any other checkout's helper is stopped first. The helper writes what it says to .exercise-helper/KEY.log.
    """
    stop(keep=key)
    folder().mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(folder() / f"{key}.log", "w") as log:
        STARTED.append(
            subprocess.Popen(
                [sys.executable, "-m", "course.kit.helper", key],
                cwd=REPO_DIR,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )


class Activity:
    """Runs in progress and when the last one ended: the helper is idle when none runs, IDLE s after the last."""

    def __init__(self):
        self.lock, self.running, self.since = threading.Lock(), 0, time.monotonic()

    def begin(self) -> None:
        with self.lock:
            self.running += 1

    def end(self) -> None:
        with self.lock:
            self.running -= 1
            self.since = time.monotonic()

    def idle(self) -> bool:
        with self.lock:
            return self.running == 0 and time.monotonic() - self.since > IDLE


def send(connection: socket.socket, message: dict) -> None:
    with suppress(OSError):  # a client that has gone away hears nothing
        connection.sendall(json.dumps(message).encode() + b"\n")


def answer(connection: socket.socket, warm: WarmRuns, activity: Activity, stopping: list) -> None:
    """One client's request: a run forked and its exit status, or a stop (which the main thread carries out)."""
    request = json.loads(connection.makefile("r", encoding="utf-8").readline() or "{}")
    if "run" not in request:
        if request.get("stop"):
            stopping.append(connection)  # answered once everything is let go (serve's finally)
            os.kill(os.getpid(), signal.SIGTERM)
        return
    run = request["run"]
    activity.begin()
    try:
        try:
            process = warm.start(
                "pytest", run["args"], run["env"], Path(run["cwd"]), Path(run["out"]), Path(run["err"])
            )
        except (OSError, RuntimeError):  # the warm interpreter is gone: so is this helper, and the run goes cold
            send(connection, {"status": None})
            os.kill(os.getpid(), signal.SIGTERM)
            return
        send(connection, {"pid": process.pid})
        # When the run ends, its status, and the connection shut, which ends the recv below; a client that
        # closes its end first (Ctrl-C, or its time is over) ends the recv while the run goes on: killed.
        process.exited.add_done_callback(lambda exited: finish(connection, exited))
        connection.recv(1)
        if not process.exited.done():
            warm.signal(process.pid, signal.SIGKILL, group=True)
    finally:
        activity.end()
        connection.close()


def finish(connection: socket.socket, exited) -> None:
    send(connection, {"status": None if exited.exception() else exited.result()})
    with suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


def serve(key: str) -> None:
    """The helper: one per KEY (its lock), listening until idle, stopped, its checkout changed or its interpreter gone."""
    here = folder()
    here.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = open(here / f"{key}.lock", "a+")  # noqa: SIM115 - held for the helper's life: its lock says it runs
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return  # this checkout's helper runs already (or is starting): one is enough
    lock.truncate(0)
    lock.write(str(os.getpid()))
    lock.flush()
    path = here / f"{key}.sock"
    with suppress(FileNotFoundError):
        path.unlink()  # a killed helper's
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, 0o600)
    listener.listen()
    listener.settimeout(CHECK_EVERY)
    warm = student_runs()
    activity, stopping = Activity(), []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                if activity.idle() or not warm.alive() or kit_digest() != key:
                    break
                continue
            threading.Thread(target=answer, args=(connection, warm, activity, stopping), daemon=True).start()
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second stop while this one lets go
        listener.close()
        path.unlink(missing_ok=True)
        warm.close()  # ends the runs still going
        fcntl.flock(lock, fcntl.LOCK_UN)
        for connection in stopping:
            send(connection, {"stopped": os.getpid()})
            connection.close()


if __name__ == "__main__":
    serve(sys.argv[1])
