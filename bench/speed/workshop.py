"""The workshop room under a class (lesson 17): what the instructor's page waits, and what the server pays.

The room is started as `make workshop` starts it (`python -m workshop.serve`:
migrate, then Daphne with lessons/settings_room.py) on a database of this
run's own, opened with `manage.py workshop open`, with a staff account
`teacher`. The instructor logs in through the login page (CSRF token and all)
and holds ws/workshop/room/ with the session cookie. 100 students join with
POST /workshop/join/ (ten per client address, 127.0.x.y, as the join throttle
allows ten a minute per address), and then each runs a check every 5 s, at a
phase of its own: each result is one short socket, as workshop/client.py
sends it (token, `joined`, the report, `ok`, close). 30 of them also hold a
watch's socket (`exercise --watch`) that says `{"here": true}` every 20 s.

Every report names a check no earlier report of that student named, so the
{"student": ...} frame that carries it is known: the update delay runs from
the check's end (the report socket opening) to that frame reaching the
instructor's socket, or the change the page's 5 s read of the room finds ({"student":
..., "refresh": true}), if that shows it first (on Redis, a report whose layer message was lost: "by_refresh"). Server
CPU is every Daphne's, read from /proc before and after a measurement window,
divided by the reports that started in it.

Each row also holds the page's budget: the lesson promises that the page shows
a run within PAGE_BUDGET (2 s) of the check's end, and "over_page_budget"
counts the reports that reached it later (or not at all). Apart from the rows,
"report_cost" times what a report adds to a student's `exercise` run when the
room cannot answer (the worst case: a server that accepts and never answers):
the exercise command's hook in a fresh process (its imports included), against
REPORT_COST_BUDGET (1 s), which the client's 0.8 s REPORT_BUDGET keeps. Lesson
17's tests prove the behaviours (the output unchanged, the report given up at
the client's own deadline, a run shown on the page); only these figures time them.

Two setups: one Daphne on the in-memory layer and SQLite, the room as `make
workshop` serves it; two Daphnes on the Redis core layer sharing one
database, the students split between them and the instructor on the first,
so half of the reports cross Redis to reach the page. The two-process row uses
PostgreSQL (a database this run creates at POSTGRES_URL and drops), because
two processes writing one SQLite file refuse each other ("database is locked").
"""

import asyncio
import contextlib
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

from bench.common.clients import ms, percentile
from bench.common.processes import Server, failure
from harness.patience import COMMAND, CONDITION, FRAME
from harness.servers import REPO_DIR, daphne_env, free_port
from workshop.client import HEARTBEAT, REPORT_BUDGET

POSTGRES_SERVER_URL = os.environ.get("POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/test"
PASSWORD = "a-password-for-this-bench-only"
JOINS_PER_ADDRESS = 10  # students per client address (127.0.x.y): a room of laptops, a few behind each address
EXERCISES = ("01.1", "02.1", "04.2")  # a report's exercise, in turn: a few rows per student on the page
# Seconds after the window for the last reports to reach the instructor: the wait ends when all have, so only a
# lost report costs all of it. With 10 s, one report of ten in a tiny run had not arrived on a 2-core CI machine
# running five test workers and the kit's proof: harness/patience.py's CONDITION, which a slower machine raises.
DRAIN = CONDITION
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BUDGET = 2.0  # seconds from a check's end until the instructor's page shows it: the lesson's promise
REPORT_COST_BUDGET = 1.0  # seconds a report may add to a student's run when the room cannot answer


@dataclass(frozen=True)
class Setup:
    name: str
    processes: int
    layer: str  # "memory" or "core" (Redis)
    database: str  # "sqlite" or "postgres"


SETUPS = (
    Setup("1 Daphne", 1, "memory", "sqlite"),  # `make workshop` as shipped
    # The same on PostgreSQL: what the database alone changes, beside the row that changes two things.
    Setup("1 Daphne on PostgreSQL", 1, "memory", "postgres"),
    Setup("2 Daphnes on Redis", 2, "core", "postgres"),
)


@dataclass(frozen=True)
class Load:
    students: int = 100
    watching: int = 30  # the first this many students also hold a watch's socket
    every: float = 5.0  # seconds between two checks of one student
    warmup: float = 5.0  # seconds of load before the window: every student has reported once
    window: float = 20.0  # seconds measured
    heartbeat: float = HEARTBEAT
    cost_runs: int = 5  # fresh processes timed reporting to a room that never answers (report_cost)


FULL, QUICK = Load(), Load(window=8.0, cost_runs=3)


@dataclass
class Report:
    name: str
    started: float  # the check's end: the report socket starts opening
    in_window: bool
    answered: float | None = None  # `ok` received
    reached: float | None = None  # the instructor's socket received a frame that shows it
    by_refresh: bool = False  # the first such frame came from the 5 s read of the room, not the layer
    error: str | None = None


@dataclass
class Room:
    """What the instructor's socket has seen: each pending report, found by (student, exercise, check)."""

    pending: dict[tuple[str, str, str], Report] = field(default_factory=dict)
    room_frames: int = 0  # frames of the 5 s read (and of views): the changes the layer did not tell

    def expect(self, report: Report, exercise: str, check: str) -> None:
        self.pending[(report.name, exercise, check)] = report

    def take(self, text: str, now: float) -> None:
        frame = json.loads(text)
        if frame.get("refresh") is True or "piece" in frame:
            # The page's read of the room every 5 s (or a view's piece). It shows every saved report, so
            # it also shows one whose {"student": ...} the Redis layer lost: a report socket of the same
            # process closed just as the layer's one read for the process popped the staff's message
            # (django/channels#1683, lesson 05). The page heals; the row counts it, and its delay is
            # over the page's budget.
            self.room_frames += 1
            for entry in frame["piece"]["students"] if "piece" in frame else [frame["student"]]:
                self.shown(entry, now, by_refresh=True)
        else:
            self.shown(frame.get("student") or {}, now, by_refresh=False)

    def shown(self, entry: dict, now: float, by_refresh: bool) -> None:
        for exercise, status in entry.get("exercises", {}).items():
            report = self.pending.pop((entry["name"], exercise, status["check"]), None)
            if report is not None:
                report.reached, report.by_refresh = now, by_refresh


# --- the room: its database, its servers, its instructor -------------------------------------------


@contextlib.contextmanager
def room_database(kind: str, folder: Path) -> Iterator[str]:
    """DATABASE_URL for the room: a SQLite file in `folder`, or a PostgreSQL database created and dropped here."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'room.sqlite3'}"
        return
    import psycopg

    name = f"bench_workshop_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_SERVER_URL, autocommit=True, connect_timeout=3) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_SERVER_URL, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_cpu_meter(database_url: str) -> Callable[[], float] | None:
    """Seconds of CPU the local PostgreSQL's ended backends have used so far; None if /proc cannot see it.

    The room's settings open a connection per database call (CONN_MAX_AGE 0), so each is a
    backend process that soon ends; its time then counts in its parent's cutime and cstime.
    """
    import psycopg

    with psycopg.connect(database_url, connect_timeout=3) as connection:
        backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        try:
            postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:  # PostgreSQL on another machine (or in a container): not measured
            return None

    def seconds() -> float:
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[13]) + int(fields[14])) / CLOCK_TICKS  # cutime, cstime: fields 16 and 17 of proc(5)

    return seconds


def room_env(database_url: str, redis_url: str | None, prefix: str) -> dict[str, str]:
    """The instructor's environment: the room's database, its layer, a SECRET_KEY every process shares."""
    env = daphne_env(None, redis_url, prefix)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="the-room-key-of-this-bench-" + "k" * 30,
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    env.pop("ALLOWED_HOSTS", None)  # serve.py puts this machine's addresses there
    return env


def manage(env: dict, *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(argv)} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def serve(env: dict) -> Server:
    """`make workshop PORT=<free port>`: migrate, then Daphne serves in this same process (its PID is the server's)."""
    port = free_port()
    return Server(
        "make workshop", [sys.executable, "-m", "workshop.serve", "--port", str(port)], env, port, timeout=COMMAND
    )


def start_room(setup: Setup, env: dict) -> tuple[list[Server], str]:
    """The setup's Daphnes and the join code: the first Daphne migrates the fresh database, then the others
    start while `workshop open` and `createsuperuser` run (each its own process, so side by side)."""
    servers = [serve(env)]
    try:
        with ThreadPoolExecutor(4) as pool:
            more = [pool.submit(serve, env) for _ in range(setup.processes - 1)]
            opened = pool.submit(manage, env, "workshop", "open", "--port", str(servers[0].port))
            staff = pool.submit(
                manage, env, "createsuperuser", "--noinput", "--username", "teacher", "--email", "teacher@example.com"
            )
        servers += [future.result() for future in more if future.exception() is None]
        for future in [*more, opened, staff]:
            if future.exception() is not None:
                raise future.exception()
    except Exception:
        for server in servers:
            server.stop()
        raise
    return servers, opened.result().splitlines()[-1]


def log_in(server: Server) -> str:
    """The instructor logs in through the login page, CSRF token and all; their session cookie."""
    jar = CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), urllib.request.ProxyHandler({}))
    url = f"{server.http_url}/accounts/login/"
    page = browser.open(url, timeout=FRAME).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = {"csrfmiddlewaretoken": csrf, "username": "teacher", "password": PASSWORD, "next": "/workshop/"}
    if not browser.open(url, urllib.parse.urlencode(form).encode(), timeout=FRAME).url.endswith("/workshop/"):
        raise RuntimeError("the instructor's login did not reach /workshop/")
    return next(cookie.value for cookie in jar if cookie.name == "sessionid")


def join(server: Server, code: str, name: str, address: str) -> str:
    """POST /workshop/join/ from `address` (127.0.x.y: loopback, but a client address of its own); the token."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=FRAME, source_address=(address, 0))
    try:
        body = json.dumps({"code": code, "name": name})
        connection.request("POST", "/workshop/join/", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        text = answer.read()
    finally:
        connection.close()
    if answer.status != 201:
        raise RuntimeError(f"{name} could not join from {address}: HTTP {answer.status} {text[:200]!r}")
    return json.loads(text)["token"]


def join_all(servers: list[Server], code: str, names: list[str], network: int) -> list[str]:
    """Every student's token, student i joining on server i mod N from 127.0.<network>.<1 + i // 10>."""
    addresses = [f"127.0.{network}.{1 + i // JOINS_PER_ADDRESS}" for i in range(len(names))]
    with ThreadPoolExecutor(8) as pool:
        futures = [
            pool.submit(join, servers[i % len(servers)], code, name, addresses[i]) for i, name in enumerate(names)
        ]
        return [future.result() for future in futures]


# --- the class: students, their watches, the instructor's page ---------------------------------------


async def connect(server: Server, path: str, **options):
    """A socket as the room's clients open it: the Origin of the page they joined, no compression."""
    from websockets.asyncio.client import connect

    return await connect(
        server.ws_url(path), origin=server.http_url, compression=None, open_timeout=CONDITION, **options
    )


async def report(server: Server, token: str, payload: dict) -> None:
    """One check's result as workshop/client.py sends it: a short socket, token, `joined`, payload, `ok`."""
    async with await connect(server, "ws/workshop/student/", close_timeout=0.2, ping_interval=None) as ws:
        await ws.send(json.dumps({"token": token}))
        for key in ("joined", "ok"):
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if key not in frame:
                raise RuntimeError(f"expected {key!r}, got {frame}")
            if key == "joined":
                await ws.send(json.dumps(payload))


async def student(server, name: str, token: str, first: float, load: Load, window, room: Room, log: list) -> None:
    """Run a check every load.every s from `first` on (perf_counter) until the window ends; report each."""
    start, end = window
    at, number = first, 0
    while at < end:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        number += 1
        exercise, check = EXERCISES[number % len(EXERCISES)], f"test_step_{number}"
        entry = Report(name, time.perf_counter(), start <= at < end)
        room.expect(entry, exercise, check)
        log.append(entry)
        try:
            await report(server, token, {"report": {"exercise": exercise, "status": "failing", "check": check}})
            entry.answered = time.perf_counter()
        except Exception as error:
            entry.error = f"{type(error).__name__}: {error}"
        at += load.every  # on the clock, not after the last report: no drift


async def watch(server: Server, token: str, phase: float, every: float) -> None:
    """`exercise --watch`'s held socket: the token with `since`, then {"here": true} every `every` s."""
    ws = await connect(server, "ws/workshop/student/", ping_interval=HEARTBEAT)
    try:
        await ws.send(json.dumps({"token": token, "since": 0}))
        if "joined" not in json.loads(await asyncio.wait_for(ws.recv(), 10)):
            raise RuntimeError("a watch's token was refused")
        await asyncio.sleep(phase)
        while True:
            await ws.send(json.dumps({"here": True}))
            await asyncio.sleep(every)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(), 2)


async def listen(staff, room: Room) -> None:
    async for text in staff:
        room.take(text, time.perf_counter())


async def measure(
    servers: list[Server], tokens: list[str], names: list[str], session: str, load: Load, database_cpu=None
) -> dict:
    """The class for warmup + window seconds; the window's figures (database_cpu: a meter, or None)."""
    staff = await connect(servers[0], "ws/workshop/room/", additional_headers={"Cookie": f"sessionid={session}"})
    if "view" not in json.loads(await asyncio.wait_for(staff.recv(), 10)):  # not staff: the socket closes instead
        raise RuntimeError("the instructor's socket did not open on the room")
    room, log = Room(), []
    listening = asyncio.create_task(listen(staff, room))
    spread = random.Random(17)  # the same phases every run: a class that never reports in lockstep
    watches = [
        asyncio.create_task(
            watch(servers[i % len(servers)], tokens[i], spread.uniform(0, load.heartbeat), load.heartbeat)
        )
        for i in range(min(load.watching, len(tokens)))
    ]
    try:
        await asyncio.sleep(0.5)  # the watches in the room before the class starts
        begin = time.perf_counter() + 0.2
        window = (begin + load.warmup, begin + load.warmup + load.window)
        firsts = [begin + spread.uniform(0, load.every) for _ in tokens]
        students = asyncio.gather(
            *(
                student(servers[i % len(servers)], names[i], tokens[i], firsts[i], load, window, room, log)
                for i in range(len(tokens))
            )
        )
        await asyncio.sleep(max(0.0, window[0] - time.perf_counter()))
        cpu_before = sum(server.cpu_seconds() for server in servers)
        database_before = database_cpu() if database_cpu else 0.0
        await asyncio.sleep(max(0.0, window[1] - time.perf_counter()))
        cpu = sum(server.cpu_seconds() for server in servers) - cpu_before
        database = database_cpu() - database_before if database_cpu else None
        await students
        drained = time.perf_counter() + DRAIN
        while time.perf_counter() < drained and any(r.reached is None and r.error is None for r in log):
            await asyncio.sleep(0.05)
    finally:
        for task in [listening, *watches]:
            task.cancel()
        await asyncio.gather(listening, *watches, return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(staff.close(), 2)
    for task in watches:  # a watch that ended before the cancel failed: the row says so
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()
    return summary([r for r in log if r.in_window], cpu, database, load.window, room.room_frames)


def summary(reports: list[Report], cpu: float, database: float | None, window: float, room_frames: int) -> dict:
    """The row's figures from the reports that started in the window and the servers' CPU seconds in it."""
    delays = [r.reached - r.started for r in reports if r.reached is not None]
    answers = [r.answered - r.started for r in reports if r.answered is not None]
    failures = [r.error for r in reports if r.error]
    row = {
        "reports": len(reports),
        "reports_per_s": round(len(reports) / window, 1),
        "reached": len(delays),
        # Of those, shown first by the 5 s refresh: the layer lost their {"student": ...} (Room.take).
        "by_refresh": sum(r.by_refresh for r in reports if r.reached is not None),
        "failed": len(failures),
        "first_failure": failures[0] if failures else None,
        "delay_p50_ms": ms(statistics.median(delays), 1) if delays else None,
        "delay_p99_ms": ms(percentile(delays, 0.99), 1) if delays else None,
        "delay_max_ms": ms(max(delays), 1) if delays else None,
        "delay_budget_ms": round(PAGE_BUDGET * 1000),
        # The lesson's promise, counted: a report the page heard of late, or never, broke it.
        "over_page_budget": len(reports) - sum(delay <= PAGE_BUDGET for delay in delays),
        "report_p50_ms": ms(statistics.median(answers), 1) if answers else None,
        "report_p99_ms": ms(percentile(answers, 0.99), 1) if answers else None,
        "report_budget_ms": round(REPORT_BUDGET * 1000),
        # A real laptop gives up on a report after REPORT_BUDGET and prints a line; this bench waits on.
        "over_budget": sum(answer > REPORT_BUDGET for answer in answers),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_ms_per_report": round(cpu / len(reports) * 1000, 2) if reports else None,
        "server_cpu_percent": round(cpu / window * 100, 1),  # of one core; all the setup's processes together
        # PostgreSQL's backends, which do the database's work outside Daphne (SQLite's is inside it).
        "database_cpu_ms_per_report": round(database / len(reports) * 1000, 2) if database and reports else None,
        "database_cpu_percent": round(database / window * 100, 1) if database is not None else None,
        "room_frames": room_frames,
    }
    return row


# --- what a report costs a student's run when the room cannot answer ----------------------------------

# The `exercise` command's hook, timed in a fresh process (so its imports count, as in a student's run).
HOOK = """
import os, sys, time
from io import StringIO
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
import django
django.setup()
from course.kit.registry import get_exercise
from course.kit.runner import Outcome
from course.management.commands.exercise import Command
err, exercise, outcome = StringIO(), get_exercise("01.1"), Outcome(False, "it accepts the socket", "expected")
started = time.perf_counter()
Command(stdout=StringIO(), stderr=err).tell_the_workshop(exercise, outcome)
print(time.perf_counter() - started)
sys.stderr.write(err.getvalue())
"""


def hook_seconds(room_url: str, folder: Path) -> float:
    """Seconds the exercise hook took to report to `room_url` (and give up: the bench's rooms never answer)."""
    connection = {"url": room_url, "name": "alice", "token": "a-token", "last_message": 0}
    (folder / ".workshop.json").write_text(json.dumps(connection), encoding="utf-8")
    env = {**os.environ, "WORKSHOP_FILE": str(folder / ".workshop.json")}
    argv = [sys.executable, "-c", HOOK]
    done = subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND)
    if done.returncode != 0 or "did not reach" not in done.stderr:
        raise RuntimeError(f"the exercise hook did not give up on {room_url}: {done.stderr.strip()[-500:]}")
    return float(done.stdout)


def report_cost(runs: int) -> dict:
    """The hook's slowest of `runs` against a server that never answers: the worst a room can do to a run."""
    # Listening, never accepting: the kernel completes each handshake, and the upgrade request waits forever.
    with socket.create_server(("127.0.0.1", 0), backlog=64) as hung, tempfile.TemporaryDirectory() as folder:
        url = f"http://127.0.0.1:{hung.getsockname()[1]}"
        took = [hook_seconds(url, Path(folder)) for _ in range(runs)]
    return {
        "status": "ok",
        "runs": runs,
        "budget_ms": round(REPORT_COST_BUDGET * 1000),
        "client_budget_ms": round(REPORT_BUDGET * 1000),
        "hung_room_max_ms": ms(max(took), 1),
        "over_budget": sum(seconds > REPORT_COST_BUDGET for seconds in took),
    }


# --- the section ------------------------------------------------------------------------------------


def run_setup(setup: Setup, network: int, redis_url: str | None, prefix: str, load: Load) -> dict:
    """One row: the room started on a database of its own, the class measured, everything stopped and removed."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-workshop-") as folder,
        room_database(setup.database, Path(folder)) as database_url,
    ):
        env = room_env(database_url, redis_url if setup.layer == "core" else None, f"{prefix}-workshop")
        servers, code = start_room(setup, env)
        try:
            session = log_in(servers[0])
            names = [f"student-{i + 1:03}" for i in range(load.students)]
            tokens = join_all(servers, code, names, network)
            meter = postgres_cpu_meter(database_url) if setup.database == "postgres" else None
            return {"status": "ok", **asyncio.run(measure(servers, tokens, names, session, load, meter))}
        finally:
            for server in servers:
                server.stop()


def run(
    redis_url: str,
    redis_missing: str | None,
    prefix: str,
    quick: bool = False,
    load: Load | None = None,
    setups: tuple[Setup, ...] = SETUPS,
) -> dict:
    """Every setup under the same class; a row says why when Redis or PostgreSQL is not there."""
    load = load or (QUICK if quick else FULL)
    try:  # first: the machine not yet warm from a class
        cost = report_cost(load.cost_runs)
    except Exception as error:
        cost = {"status": failure(error)}
    rows = []
    for network, setup in enumerate(setups, start=1):  # each setup's students join from addresses of their own
        base = {"setup": setup.name, "processes": setup.processes, "layer": setup.layer, "database": setup.database}
        if setup.layer == "core" and redis_missing:
            rows.append({**base, "status": f"skipped: {redis_missing}"})
            continue
        try:
            rows.append({**base, **run_setup(setup, network, redis_url, prefix, load)})
        except Exception as error:
            rows.append({**base, "status": failure(error)})
    return {
        "measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "students": load.students,
        "watching": load.watching,
        "every_s": load.every,
        "heartbeat_s": load.heartbeat,
        "window_s": load.window,
        "page_budget_ms": round(PAGE_BUDGET * 1000),
        "rows": rows,
        "report_cost": cost,
    }
