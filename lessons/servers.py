"""Real server processes on free loopback ports, for the tests and the benchmark (both import it from here).

A Daphne serving the course (or a bench/test ASGI module), the benchmark's
reference echo, a throwaway redis-server: each is a ServerProcess, started
and waited for the same way, and stopped by PID.
"""

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

REPO_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_fixed_port() -> int:
    """A free port below the kernel's ephemeral range, for a server that is stopped and restarted.

    While a server on an ephemeral port is down, an outgoing connection may be
    given that very port as its local end (a client reconnecting to it can even
    connect to itself), and the restarted server cannot bind it again.
    """
    ephemeral = Path("/proc/sys/net/ipv4/ip_local_port_range")  # Linux; 32768 is its default
    low = int(ephemeral.read_text().split()[0]) if ephemeral.exists() else 32768
    for port in random.sample(range(max(1024, low - 12000), low), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


class ServerProcess:
    """One server process listening on `port`; its output goes to a temporary log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str] | None, port: int, timeout: float = 15):
        self.name = name
        self.port = port
        self.log_path = Path(tempfile.mkstemp(prefix="server-", suffix=".log")[1])
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(argv, cwd=REPO_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_until_listening(timeout)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen on port {self.port} within {timeout} s:\n{self.log()[-4000:]}")

    def stop(self) -> None:
        """Terminate by PID (kill after 5 s); the log file stays for a failing test to show."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class DaphneServer(ServerProcess):
    """A real `daphne <application>` process on a free port."""

    def __init__(self, env: dict[str, str], application: str = "lessons.asgi:application"):
        port = free_port()
        argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), application]
        super().__init__(f"daphne {application}", argv, env, port)


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL that points a child process at the test database."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{settings_dict.get('HOST') or '127.0.0.1'}:{settings_dict.get('PORT') or 5432}/{settings_dict['NAME']}"


def daphne_env(
    db_settings: dict | None, redis_url: str | None = None, prefix: str = "asgi", kind: str = "core"
) -> dict[str, str]:
    """The environment a student's Daphne gets, with the database and channel layer chosen explicitly."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CHANNEL_LAYER"}}
    env.update(
        DJANGO_SETTINGS_MODULE="lessons.settings",
        CHANNEL_LAYER_PREFIX=prefix,
        PYTHONUNBUFFERED="1",
        # The inspector (lessons/inspector.py) only where a test or the bench turns it on.
        INSPECTOR="0",
    )
    if db_settings is not None:
        env.update(DATABASE_URL=database_url(db_settings))
    if redis_url:
        env.update(REDIS_URL=redis_url, CHANNEL_LAYER=kind)
    return env


def delete_prefixed_keys(url: str, prefix: str) -> int:
    """Remove every key written under `prefix` (never a FLUSHDB); return how many."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


class PrivateRedis:
    """A throwaway `redis-server` on a free loopback port, so a test may stop and restart it."""

    def __init__(self, executable: str):
        self.executable = executable
        self.port = free_fixed_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.server: ServerProcess | None = None
        self.start()

    def start(self) -> None:
        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        argv = [*command, "--appendonly", "no", "--daemonize", "no"]
        self.server = ServerProcess("redis-server", argv, None, self.port, timeout=10)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.server = None
