"""Real server processes on free loopback ports, for the tests and the benchmark (both import it from here).

A Daphne serving the course (or a bench/test ASGI module), the benchmark's
reference echo, a throwaway redis-server, lesson 15's primary, replica and
Sentinels: each is a ServerProcess, started and waited for the same way, and
stopped by PID.
"""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import redis

from harness.patience import COMMAND, CONDITION, FRAME, SERVER_START, SERVER_STOP, patient
from harness.warm import WarmProcesses

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


# What a Daphne imports before it reads the course's settings: a warm interpreter (harness/warm.py) imports
# them once, and each Daphne the tests start is a fork of it. Not daphne.server, daphne.cli or anything
# that imports twisted.internet.reactor: daphne.server installs its asyncio reactor on import, in the child.
DAPHNE_PRELOAD = (
    "django.core.handlers.asgi",
    "django.db.models",
    "django.contrib.auth",
    "django.contrib.sessions.backends.db",
    "channels.generic.websocket",
    "channels.layers",
    "channels.auth",
    "channels.db",
    "channels.routing",
    "channels.sessions",
    "channels_redis.core",
    "channels_redis.pubsub",
    "redis.asyncio",
    "psycopg",
    "twisted.internet.asyncioreactor",
    "twisted.web.http",
    "autobahn.twisted.websocket",
    "daphne.access",
    "daphne.endpoints",
    "daphne.http_protocol",
    "daphne.ws_protocol",
    "markdown_it",  # the lesson pages' renderer: course/render.py imports it at the first page, in each Daphne
    "mdit_py_plugins.anchors",
)


class WarmDaphnes:
    """Tests start each `python -m daphne` as a fork of one warm interpreter, not as a fresh process.

    So too each `python -m workshop.serve` (lesson 17's room, as `make workshop` starts it) and, through
    run(), each `python manage.py ...` a test runs as a student or an instructor types it.

    About 150 Daphnes start in a run of the suite; as fresh processes each paid 1.4 CPU-seconds,
    most of it importing Django, Channels, Twisted and autobahn, on CI's 2-core machine, where
    CPU is what CI waits for. The fork then runs daphne's own command line with the server's
    argv, environment and log file, as `python -m daphne` would. The tests turn it on
    (tests/fixtures/servers.py) where os.fork is safe (Linux), and WARM_DAPHNES=1 in a process's
    environment does (the tests run the hostile bench's small run and lesson 14's scale harness so,
    checking what their figures say, never their size; the fork takes its client's open-files limit,
    so the ceiling probe's server runs out of files where a fresh one would); `make bench` never
    does: it times fresh processes, as a deployment runs them.
    """

    lock = threading.Lock()
    enabled = os.environ.get("WARM_DAPHNES") == "1" and sys.platform == "linux"
    processes: WarmProcesses | None = None

    @classmethod
    def use(cls, enabled: bool) -> None:
        with cls.lock:
            cls.enabled = enabled
            if not enabled and cls.processes is not None:
                cls.processes.close()  # the warm server terminates any Daphne still running, then exits
                cls.processes = None

    @classmethod
    def warm(cls) -> WarmProcesses:
        """The warm server, started on first use (again, if it has died)."""
        with cls.lock:
            if cls.processes is None or not cls.processes.alive():
                cls.processes = WarmProcesses(DAPHNE_PRELOAD, dict(os.environ))
            return cls.processes

    @classmethod
    def start(cls, argv: list[str], env: dict[str, str] | None, log_path: Path):
        """A forked `python -m daphne` (or `-m workshop.serve`, `make workshop`'s) for this argv, or None when it is
        neither or forks are off."""
        if not cls.enabled or argv[:2] != [sys.executable, "-m"] or argv[2:3] not in (["daphne"], ["workshop.serve"]):
            return None
        return cls.warm().start(argv[2], argv[3:], dict(os.environ if env is None else env), REPO_DIR, log_path)

    @classmethod
    def run(cls, argv: list[str], cwd: Path, env: dict[str, str] | None, timeout: float) -> subprocess.CompletedProcess:
        """subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout), and for
        `python manage.py ...` a fork of the warm interpreter (the same command, 0.5 CPU-seconds sooner).

        The tests run dozens of such commands as a student or an instructor types them (`workshop open`,
        `createsuperuser`, `exercise 01.1` in a checkout): what each prints and leaves is the claim, not
        how its interpreter started. The script is the one in `cwd`, as `python manage.py` finds it.
        """
        if not cls.enabled or argv[:2] != [sys.executable, "manage.py"]:
            return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        processes = cls.warm()
        with tempfile.TemporaryDirectory(prefix="manage-") as folder:
            out, err = Path(folder) / "stdout", Path(folder) / "stderr"
            environment = dict(os.environ if env is None else env)
            process = processes.start(argv[1], argv[2:], environment, Path(cwd), out, err, script=True)
            try:
                status = process.wait(timeout)
            except subprocess.TimeoutExpired:
                processes.signal(process.pid, signal.SIGKILL, group=True)  # the command and all it started
                process.wait()
                raise subprocess.TimeoutExpired(argv, timeout) from None
            return subprocess.CompletedProcess(
                argv, status, out.read_text(errors="replace"), err.read_text(errors="replace")
            )


class ServerProcess:
    """One server process listening on `port`; its output goes to a temporary log file."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str] | None, port: int, timeout: float = SERVER_START
    ):
        self.name = name
        self.port = port
        descriptor, path = tempfile.mkstemp(prefix="server-", suffix=".log")
        os.close(descriptor)  # the server's own open file writes it
        self.log_path = Path(path)
        self._log = None
        self.process = WarmDaphnes.start(argv, env, self.log_path)
        if self.process is None:
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
        deadline, pause = time.monotonic() + timeout, 0.002
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                # A redis-server listens within ms, a Daphne within a second: look soon, then less often.
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
        said = self.log()[-4000:]  # before stop(): a measured server's stop() removes its log
        self.stop()
        raise RuntimeError(
            f"{self.name} did not listen on port {self.port} within {timeout:g} s (harness/patience.py's SERVER_START;"
            f" a slower machine raises COURSE_PATIENCE):\n{said}"
        )

    def stop(self) -> None:
        """Terminate by PID (kill after SERVER_STOP); the log file stays for a failing test to show."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=SERVER_STOP)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
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
    """The environment a student's Daphne gets, with the database and channel layer chosen explicitly.

    kind "postgres" (lesson 15) takes the layer database's URL where the others take Redis's.
    """
    layer_keys = {"REDIS_URL", "CHANNEL_LAYER", "POSTGRES_URL"}
    env = {key: value for key, value in os.environ.items() if key not in layer_keys}
    env.update(
        DJANGO_SETTINGS_MODULE="lessons.settings",
        CHANNEL_LAYER_PREFIX=prefix,
        PYTHONUNBUFFERED="1",
        # The inspector (course/inspector.py) only where a test or the bench turns it on.
        INSPECTOR="0",
    )
    if db_settings is not None:
        env.update(DATABASE_URL=database_url(db_settings))
    if kind == "postgres":
        env.update(POSTGRES_URL=redis_url or "", CHANNEL_LAYER=kind)
    elif redis_url:
        env.update(REDIS_URL=redis_url, CHANNEL_LAYER=kind)
    return env


def delete_prefixed_keys(url: str, prefix: str, client: redis.Redis | None = None) -> int:
    """Remove every key written under `prefix` (never a FLUSHDB); return how many.

    On `client` if given (one kept open for a whole test run), else on a connection of its own.
    """
    own = client is None
    client = redis.Redis.from_url(url) if own else client
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    if own:
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
        self.server = ServerProcess("redis-server", argv, None, self.port)

    def stop(self) -> None:
        """Stop at once: SHUTDOWN NOSAVE, where SIGTERM waits for the server's next 0.1 s tick."""
        if self.server is not None:
            try:
                with redis.Redis.from_url(self.url, socket_timeout=FRAME) as client:
                    client.shutdown(nosave=True)
            except redis.RedisError:
                pass  # not answering: stop() below terminates it
            self.server.stop()
        self.server = None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb) in a temporary folder, so a test may stop and restart it.

    PostgreSQL refuses to run as root: as root, its commands run as the
    `postgres` system user (runuser), which owns the folder.
    """

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_fixed_port()
        self.folder = Path(tempfile.mkdtemp(prefix="postgres-"))
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self._as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_owner:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as_owner, str(self.bindir / program), *args]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=COMMAND)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )

    def stop(self) -> None:
        """Stop at once, as a crash would (pg_ctl reads the server's PID from its data folder)."""
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)


# --- lesson 15: a Redis primary, its replica and three Sentinels --------------


def render(template: Path, values: dict[str, str]) -> str:
    """A deploy/ file with each ${NAME} replaced, as `envsubst '${NAME} ...'` does."""
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text


class RedisSentinels:
    """deploy/redis.conf as a primary and a replica, and deploy/sentinel.conf three times: real processes."""

    MASTER = "mymaster"  # deploy/sentinel.conf's "sentinel monitor mymaster ..."
    # deploy/sentinel.conf's failover-timeout, in seconds: read there, so the two never disagree.
    FAILOVER_TIMEOUT = (
        int(re.search(r"failover-timeout mymaster (\d+)", (REPO_DIR / "deploy" / "sentinel.conf").read_text())[1])
        / 1000
    )

    def __init__(self, executable: str, workdir: Path, down_after_ms: int = 1000):
        self.executable = executable  # redis-server; a sentinel is the same binary with --sentinel
        self.workdir = workdir
        self.down_after_ms = down_after_ms
        self.sentinels: list[ServerProcess] = []
        self.started: list[ServerProcess] = []  # everything to stop, even if starting fails half-way
        try:
            self.primary = self.start_redis("primary")
            self.replica = self.start_redis("replica", "--replicaof", "127.0.0.1", str(self.primary.port))
            # Sentinels learn about replicas from the primary's INFO: start them once the replica is attached.
            self.wait_until(lambda: self.info(self.replica.port)["master_link_status"] == "up", "the replica syncs")
            self.sentinels = [self.start_sentinel(n) for n in range(3)]
            self.wait_until(self.all_see_each_other, "every sentinel sees the replica and the other two sentinels")
        except Exception:
            self.stop()
            raise

    @property
    def addresses(self) -> str:
        """REDIS_SENTINELS for a process that should find the primary through these sentinels."""
        return ",".join(f"127.0.0.1:{sentinel.port}" for sentinel in self.sentinels)

    def start_redis(self, name: str, *extra: str) -> ServerProcess:
        port = free_fixed_port()
        conf = self.workdir / f"redis-{name}.conf"
        values = {"BIND": "127.0.0.1", "PORT": str(port), "DIR": str(self.workdir / name)}
        (self.workdir / name).mkdir()
        conf.write_text(render(REPO_DIR / "deploy" / "redis.conf", values))
        server = ServerProcess(f"redis {name}", [self.executable, str(conf), *extra], None, port)
        self.started.append(server)
        return server

    def start_sentinel(self, n: int) -> ServerProcess:
        port = free_fixed_port()
        values = {
            "BIND": "127.0.0.1",
            "SENTINEL_PORT": str(port),
            "PRIMARY_HOST": "127.0.0.1",
            "PRIMARY_PORT": str(self.primary.port),
            "DOWN_AFTER_MS": str(self.down_after_ms),
        }
        conf = self.workdir / f"sentinel-{n}.conf"
        conf.write_text(render(REPO_DIR / "deploy" / "sentinel.conf", values))
        server = ServerProcess(f"sentinel {n}", [self.executable, str(conf), "--sentinel"], None, port)
        self.started.append(server)
        return server

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2, socket_connect_timeout=2)

    def info(self, port: int) -> dict:
        with self.client(port) as client:
            return client.info("replication")

    def all_see_each_other(self) -> bool:
        for sentinel in self.sentinels:
            with self.client(sentinel.port) as client:
                state = client.sentinel_master(self.MASTER)
            if state["num-slaves"] < 1 or state["num-other-sentinels"] < 2:
                return False
        return True

    def primary_port(self) -> int | None:
        """The primary's port as the first sentinel that answers names it."""
        for sentinel in self.sentinels:
            try:
                with self.client(sentinel.port) as client:
                    return int(client.sentinel_get_master_addr_by_name(self.MASTER)[1])
            except redis.RedisError:
                continue
        return None

    def kill_primary(self) -> float:
        """SIGKILL the primary by PID (no shutdown: as if it crashed); return when, on time.monotonic()."""
        self.primary.process.kill()
        self.primary.process.wait()
        return time.monotonic()

    def wait_for_promotion(self, timeout: float | None = None) -> float:
        """Wait until a sentinel names the replica as primary; return when, on time.monotonic().

        A failover that does not finish within deploy/sentinel.conf's failover-timeout is abandoned, and the
        next may start twice that later: on a busy machine the first election can fail, so the liveness
        deadline holds a second try too (beside a CPU hog on both cores, 30 s was once not enough).
        """
        if timeout is None:
            timeout = CONDITION + patient(2 * self.FAILOVER_TIMEOUT)
        self.wait_until(lambda: self.primary_port() == self.replica.port, "Sentinel promotes the replica", timeout)
        return time.monotonic()

    @staticmethod
    def wait_until(condition, what: str, timeout: float = CONDITION) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if condition():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"not within {timeout:g} s (harness/patience.py): {what}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop every process by its PID, the sentinels first (so none fails over while the rest stop)."""
        for server in reversed(self.started):
            server.stop()
