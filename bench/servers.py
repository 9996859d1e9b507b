"""The server processes the benchmark measures, started and stopped on free loopback ports.

Every server is a separate process, as in production: a real Daphne
(`python -m daphne -b 127.0.0.1 -p PORT module:application`) or the reference
echo server written on the `websockets` library. The benchmark is the client.
Server CPU time is read from /proc/<pid>/stat, so no extra package is needed.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

REPO_DIR = Path(__file__).resolve().parent.parent
# The root router's origin check refuses a handshake without an allowed Origin, as a browser sends it.
ORIGIN = "http://127.0.0.1:8000"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process's threads have used so far, in seconds.

    Summed from /proc/<pid>/task/*/schedstat, which counts nanoseconds; the
    process-wide /proc/<pid>/stat counts 10 ms ticks, too coarse for a short run.
    """
    if not Path(f"/proc/{pid}/schedstat").exists():  # a kernel without schedstat: 10 ms ticks it is
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14 and 15 of proc(5)
    nanoseconds = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            nanoseconds += int((task / "schedstat").read_text().split()[0])
        except OSError:
            pass  # the thread ended between the listing and the read
    return nanoseconds / 1e9


class Server:
    """One server process on a free port; its output goes to a temporary log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int):
        self.name = name
        self.port = port
        self.log_path = Path(tempfile.mkstemp(prefix="bench-", suffix=".log")[1])
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(argv, cwd=REPO_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_until_listening()

    @property
    def pid(self) -> int:
        return self.process.pid

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_until_listening(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self.log_path.unlink(missing_ok=True)


def daphne_env(redis_url: str | None, kind: str, prefix: str) -> dict[str, str]:
    """The environment a student's Daphne would get, with the channel layer chosen explicitly."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CHANNEL_LAYER"}}
    env.update(DJANGO_SETTINGS_MODULE="lessons.settings", CHANNEL_LAYER_PREFIX=prefix, PYTHONUNBUFFERED="1")
    if redis_url:
        env.update(REDIS_URL=redis_url, CHANNEL_LAYER=kind)
    return env


def start_daphne(
    module: str = "lessons.asgi", redis_url: str | None = None, kind: str = "core", prefix: str = "asgi"
) -> Server:
    """A real Daphne serving `module:application`; no REDIS_URL means the in-memory layer."""
    port = free_port()
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), f"{module}:application"]
    layer = "memory" if not redis_url else kind
    return Server(f"daphne {module} ({layer})", argv, daphne_env(redis_url, kind, prefix), port)


def start_reference_echo() -> Server:
    """The echo server written directly on `websockets` (bench/reference_echo.py)."""
    port = free_port()
    argv = [sys.executable, str(REPO_DIR / "bench" / "reference_echo.py"), str(port)]
    return Server("reference echo (websockets)", argv, dict(os.environ), port)


def failure(error: Exception) -> str:
    """A one-line status for a table row; the whole story (e.g. a server's log) goes to stderr."""
    print(f"bench: {type(error).__name__}: {error}", file=sys.stderr)
    first_line = str(error).splitlines()[0] if str(error) else ""
    return f"failed: {type(error).__name__}: {first_line}"


def redis_available(url: str) -> str | None:
    """None when Redis answers at `url`, else the reason it does not."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError as error:
        return f"no Redis answers at {url} ({error}); start one or set REDIS_URL"
    return None


def delete_prefixed_keys(url: str, prefix: str) -> int:
    """Remove the keys this run wrote under its own prefix (never a FLUSHDB); return how many."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)
