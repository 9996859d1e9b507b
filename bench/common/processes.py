"""The server processes the benchmark measures, started and stopped on free loopback ports.

Every server is a separate process, as in production: a real Daphne
(`python -m daphne -b 127.0.0.1 -p PORT module:application`) or the reference
echo server written on the `websockets` library. The benchmark is the client.
Server CPU time is read from /proc/<pid>/stat, so no extra package is needed.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import redis

from harness.servers import REPO_DIR, ServerProcess, daphne_env, free_port


def origin_of(ws_url: str) -> str:
    """The Origin a page of the site at `ws_url` sends: the root router's origin check wants that very site
    (scheme, host and port: lessons/origins.py), as a browser on the course page sends it."""
    parts = urlsplit(ws_url)
    return f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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


class Server(ServerProcess):
    """A measured server process: its CPU time can be read, and its log is removed when it stops."""

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def stop(self) -> None:
        super().stop()
        self.log_path.unlink(missing_ok=True)


def start_daphne(
    module: str = "lessons.asgi", redis_url: str | None = None, kind: str = "core", prefix: str = "asgi"
) -> Server:
    """A real Daphne serving `module:application`; no REDIS_URL means the in-memory layer."""
    port = free_port()
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), f"{module}:application"]
    layer = "memory" if not redis_url else kind
    return Server(f"daphne {module} ({layer})", argv, daphne_env(None, redis_url, prefix, kind), port)


def start_reference_echo() -> Server:
    """The echo server written directly on `websockets` (bench/common/reference_echo.py)."""
    port = free_port()
    argv = [sys.executable, str(REPO_DIR / "bench" / "common" / "reference_echo.py"), str(port)]
    return Server("reference echo (websockets)", argv, dict(os.environ), port)


def failure(error: Exception) -> str:
    """A one-line status for a table row; the whole story (e.g. a server's log) goes to stderr."""
    print(f"bench: {type(error).__name__}: {error}", file=sys.stderr)
    first_line = str(error).splitlines()[0] if str(error) else ""
    return f"failed: {type(error).__name__}: {first_line}"


def redis_available(url: str) -> bool:
    """True when a Redis server answers PING at `url` within a second."""
    return why_redis_is_missing(url) is None


def why_redis_is_missing(url: str) -> str | None:
    """Why no Redis answers at `url`, for a table row ("no Redis answers at ..."); None when one does."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError as error:
        return f"no Redis answers at {url} ({error}); start one or set REDIS_URL"
    return None
