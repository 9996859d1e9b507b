"""Lesson 14 at the top: 100,000 WebSockets held by one machine, chatting, and the capacity model checked there.

Eight Daphnes with the production settings (lessons.settings_production), each
holding 12,500 chat sockets (ws/chat/<room>/), well below the open-files limit
of one process: six on the in-memory layer, where rooms stay inside one
process, and two on Redis core, where each room of 1,000 is split over both.
Eight client processes (bench/scale/swarm.py), one per Daphne, open and read
the sockets; every Daphne listens on its own port, so each destination's
28,000 ephemeral ports serve one Daphne's sockets and none runs out.

Before anything starts, the model (bench/capacity/) predicts every figure from
the 10,000-socket costs of bench/scale/reference.json, and the run says how
long it expects to take. Then, measured (CPU in CPU-seconds from /proc, memory
as RSS, so a busy machine slows the run but moves the figures little):

    open       memory per socket (server and client apart), CPU per open, the time to open all
    heartbeat  an idle window: Daphne's keepalive pings and the chat's membership renewals
    broadcast  a room of 1,000 in one process, a room of 1,000 through Redis, and every room at once
    storm      two in-memory Daphnes SIGKILLed (25,000 sockets: one process holds at most ~19,900):
               their clients come back, with backoff and jitter, on the survivors

and last, predicted beside measured with the error, and the resources the run
used against what this machine has: the first to run out is what stops the
next 100,000.

    .venv/bin/python bench/scale/run.py --only top            # as a section of make bench-scale
    .venv/bin/python -m bench.scale.top [--small] [--reference]  # alone; --reference writes top-reference.*

Every process is started and stopped by its PID (in `finally`, so a failure
leaves none running); Redis is a private redis-server, stopped at the end.
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import statistics
import sys
import time
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import redis

from bench.capacity.fit import REFERENCE, costs_from_reference
from bench.capacity.model import RENEW_INTERVAL_S
from bench.common.clients import percentile
from bench.common.processes import Server, cpu_seconds, failure
from bench.common.report import table
from bench.scale.swarm import Swarm, ask_all, raise_open_files, split, stop_swarms
from harness.patience import patient
from harness.servers import REPO_DIR, PrivateRedis, daphne_env, free_port

TITLE = "100,000 sockets on one machine"
TOP_REFERENCE = REPO_DIR / "bench" / "scale" / "top-reference.json"
GOAL_PERCENT = 25
# Twisted's listen backlog is 50: each client process opens fewer at once, on its one Daphne. A handshake
# not done in OPEN_TIMEOUT_S (a busy machine) is tried again in the next round, up to RETRY_ROUNDS more.
PARALLEL = 25
OPEN_TIMEOUT_S = 120
RETRY_ROUNDS = 3
EPHEMERAL_PORTS = Path("/proc/sys/net/ipv4/ip_local_port_range")
# The run's one change to how deploy/channels-lessons-daphne@.service starts Daphne. On a machine shared at a
# load of 40, a Daphne got 3 % of a core and read its sockets' pongs late. Daphne sends a ping every
# ping-interval (20 s) whether or not the last one was answered, and autobahn's _sendAutoPing then replaces
# the pending ping and its timeout timer without cancelling the old timer: a pong later than 20 s matches
# nothing, the forgotten timer fires ping-timeout later, and a healthy socket is closed. Two runs lost
# thousands of sockets so. Handshakes not accepted within websocket_connect_timeout (5 s) got a 403.
DAPHNE_TIMEOUTS = ["--ping-interval", "120", "--ping-timeout", "600", "--websocket_connect_timeout", "60"]


@dataclass(frozen=True)
class Plan:
    memory_daphnes: int  # idle sockets, rooms inside one process
    redis_daphnes: int  # chat sockets on Redis core, every room split over all of them
    per_daphne: int
    room: int
    killed: int  # in-memory Daphnes SIGKILLed in the storm
    rounds: int  # the opening, in this many steps, with a progress line after each
    heartbeat_s: float  # an idle window: Daphne's pings (every 120 s here, DAPHNE_TIMEOUTS) and the renewals
    give_up_s: float  # a cut client gives up this long after its cut; a broadcast is waited for as long
    open_budget_s: float | None = None  # past this, no further round opens: the run goes on with what is open

    @property
    def daphnes(self) -> int:
        return self.memory_daphnes + self.redis_daphnes

    @property
    def sockets(self) -> int:
        return self.daphnes * self.per_daphne


FULL = Plan(
    memory_daphnes=6, redis_daphnes=2, per_daphne=12_500, room=1000, killed=2, rounds=10, heartbeat_s=20, give_up_s=600
)
SMALL = Plan(
    memory_daphnes=1,
    redis_daphnes=1,
    per_daphne=150,
    room=50,
    killed=1,
    rounds=2,
    heartbeat_s=10,
    give_up_s=patient(180),
)


# --- the model's predictions, before anything starts ---------------------------------------


def predict(plan: Plan, reference: dict, cores: int) -> dict:
    """Every figure this run measures, predicted from the reference run's costs (10,000 sockets at most)."""
    memory, core = (costs_from_reference(reference, "daphne", layer) for layer in ("memory", "core"))
    n_memory, n_redis = plan.memory_daphnes * plan.per_daphne, plan.redis_daphnes * plan.per_daphne
    open_cpu_s = plan.sockets * memory.connect_cpu_ms / 1e3
    idle = {
        "memory": n_memory * (memory.idle_cpu_us_per_socket + memory.renewal_cpu_us / RENEW_INTERVAL_S) / 1e6,
        "redis": n_redis * (core.idle_cpu_us_per_socket + core.renewal_cpu_us / RENEW_INTERVAL_S) / 1e6,
    }
    room_memory = plan.room * memory.delivery_at(plan.room, plan.per_daphne) / 1e6
    room_redis = (
        plan.room * core.delivery_at(plan.room, plan.per_daphne) + (plan.redis_daphnes - 1) * core.extra_process_cpu_us
    ) / 1e6
    rooms_memory, rooms_redis = n_memory / plan.room, n_redis / plan.room
    everyone_cpu = rooms_memory * room_memory + rooms_redis * room_redis
    cut = plan.killed * plan.per_daphne
    return {
        "costs": {"memory": asdict(memory), "core": asdict(core)},
        "server_kib_per_socket": memory.kib_per_socket,
        "server_rss_mb": plan.daphnes * memory.baseline_rss_mb + plan.sockets * memory.kib_per_socket / 1024,
        "client_kib_per_socket": None,  # the model had no client side
        "open_cpu_ms_per_socket": memory.connect_cpu_ms,
        "open_cpu_s": open_cpu_s,
        "open_all_s": open_cpu_s / cores,  # the servers' CPU on every core; the clients' was not in the model
        "heartbeat_cores": idle,
        "redis_commands_per_s": n_redis / RENEW_INTERVAL_S * core.redis_per_renewal,
        "room_cpu_s": {"memory": room_memory, "redis": room_redis},
        # One process delivers a room on its one core: the last socket has it after the room's CPU.
        "room_all_have_it_ms": {"memory": room_memory * 1e3, "redis": room_redis / plan.redis_daphnes * 1e3},
        "everyone_cpu_s": everyone_cpu,
        "everyone_all_have_it_ms": max(everyone_cpu / cores, rooms_memory / plan.memory_daphnes * room_memory) * 1e3,
        "storm_cpu_s": cut * memory.connect_cpu_ms / 1e3,
        "storm_all_back_s": cut * memory.connect_cpu_ms / 1e3 / cores,
    }


def expected_minutes(prediction: dict, plan: Plan) -> float:
    """The run's wall time on idle cores: the servers' CPU twice over (the clients pay about as much), and the waits."""
    cpu = 2 * (prediction["open_cpu_s"] + prediction["storm_cpu_s"] + 3 * prediction["everyone_cpu_s"])
    return (cpu / 2 + plan.heartbeat_s + 3 * plan.daphnes) / 60


# --- the processes --------------------------------------------------------------------


def start_daphne(layer: str, redis_url: str, prefix: str, secret: str) -> Server:
    """A fresh Daphne with the production settings: in-memory layer, or Redis core."""
    port = free_port()
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), *DAPHNE_TIMEOUTS]
    argv.append("lessons.asgi:application")
    env = daphne_env(None, redis_url if layer == "redis" else None, prefix, "core")
    env.update(DJANGO_SETTINGS_MODULE="lessons.settings_production", SECRET_KEY=secret, ALLOWED_HOSTS="127.0.0.1")
    env.update(SECURE_SSL_REDIRECT="0")  # loopback HTTP: nothing in front to say it was HTTPS
    return Server(f"daphne ({layer})", argv, env, port)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return 0.0


def total_mb() -> float:
    return int(Path("/proc/meminfo").read_text().split()[1]) / 1024


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def socket_urls(plan: Plan, servers: list[Server], tag: str) -> list[list[str]]:
    """Each Daphne's socket URLs: in-memory rooms fill one after another inside their process; a Redis room
    of `room` has room ÷ P sockets on each of the P Redis Daphnes."""
    urls = []
    for d, server in enumerate(servers):
        if d < plan.memory_daphnes:
            urls.append([server.ws_url(f"ws/chat/{tag}m{d}r{i // plan.room}/") for i in range(plan.per_daphne)])
        else:
            share = plan.room // plan.redis_daphnes
            urls.append([server.ws_url(f"ws/chat/{tag}rr{i // share}/") for i in range(plan.per_daphne)])
    return urls


class Meter:
    """CPU-seconds of a group of processes, read from /proc."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.start = self.read()
        self.at = time.monotonic()

    def read(self) -> float:
        total = 0.0
        for pid in self.pids:
            try:
                total += cpu_seconds(pid)
            except OSError:
                pass  # killed in the storm
        return total

    def used(self) -> float:
        return self.read() - self.start

    def cores(self) -> float:
        return self.used() / max(1e-9, time.monotonic() - self.at)


def latencies(arrivals: list[float], sent_at: float) -> dict:
    delays = [at - sent_at for at in arrivals]
    if not delays:
        return {"heard": 0}
    return {
        "heard": len(delays),
        "p50_ms": round(percentile(delays, 0.5) * 1e3, 1),
        "p99_ms": round(percentile(delays, 0.99) * 1e3, 1),
        "max_ms": round(max(delays) * 1e3, 1),
    }


def progress(text: str) -> None:
    print(f"  top: {text}", flush=True)


# --- the run ---------------------------------------------------------------------------


async def measure(small: bool, plan: Plan | None = None) -> dict:
    plan = plan or (SMALL if small else FULL)
    cores = len(os.sched_getaffinity(0))
    reference = json.loads(Path(REFERENCE).read_text())
    predicted = predict(plan, reference, cores)
    why_not = obstacles(plan)
    if why_not:
        return {"status": f"skipped: {why_not}", "plan": asdict(plan)}
    progress(
        f"{plan.sockets:,} sockets over {plan.daphnes} Daphnes and {plan.daphnes} client processes; expected about "
        f"{expected_minutes(predicted, plan):.0f} min on {cores} idle cores (load average now {load_average()}: "
        "longer on a busy machine)"
    )
    try:
        measured = run(plan)
    except Exception as error:
        return {"status": failure(error), "plan": asdict(plan), "predicted": predicted}
    reached = measured["open"]["opened"]
    if reached < plan.sockets:  # the budget ran out first: the same model, at the size reached
        predicted = predict(replace(plan, per_daphne=round(reached / plan.daphnes)), reference, cores)
        predicted["for_sockets"] = reached
    return {
        "status": "ok",
        "plan": asdict(plan),
        "predicted": predicted,
        "measured": measured,
        "rows": comparisons(predicted, measured),
        "limits": (rows := limits(plan, measured)),
        "runs_out_first": min((row for row in rows if row["sockets"]), key=lambda row: row["sockets"])["resource"],
    }


def obstacles(plan: Plan) -> str | None:
    """Why this machine cannot run the plan at all, before anything starts."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    most = plan.per_daphne + plan.per_daphne * plan.killed // max(1, plan.daphnes - plan.killed)
    if hard < most + 100:
        return f"the open-files hard limit is {hard}: a Daphne would hold up to {most:,} sockets (`ulimit -Hn`)"
    if shutil.which("redis-server") is None:
        return "no redis-server on PATH (the Redis Daphnes need a private one)"
    return None


def run(plan: Plan) -> dict:
    raise_open_files()
    prefix, tag, secret = f"top-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:6], secrets.token_urlsafe(50)
    store = PrivateRedis(shutil.which("redis-server"))
    servers: list[Server] = []
    swarms: list[Swarm] = []
    try:
        layers = ["memory"] * plan.memory_daphnes + ["redis"] * plan.redis_daphnes
        for layer in layers:
            servers.append(start_daphne(layer, store.url, prefix, secret))
        swarms = [Swarm() for _ in servers]
        ask_all(swarms, "status")  # every client process is up and answering
        result = {"machine_at_start": {"load_average": load_average(), "available_mb": round(available_mb())}}
        result["open"] = open_all(plan, servers, swarms, socket_urls(plan, servers, tag))
        result["heartbeat"] = heartbeat(plan, servers, swarms, store.url)
        result["open"]["still_open"] = sum(answer["open"] for answer in ask_all(swarms, "status"))
        idle = result["heartbeat"]["memory_cores"] + result["heartbeat"]["redis_daphne_cores"]
        result["broadcast"] = broadcasts(plan, servers, swarms, tag, idle)
        result["storm"] = storm(plan, servers, swarms)
        result["machine_at_end"] = {"load_average": load_average(), "available_mb": round(available_mb())}
        return result
    finally:
        stop_swarms(swarms)
        for server in servers:  # all asked at once: each Daphne closes thousands of sockets on the way out
            if server.process.poll() is None:
                server.process.terminate()
        for server in servers:
            server.stop()
        store.stop()


def open_all(plan: Plan, servers: list[Server], swarms: list[Swarm], urls: list[list[str]]) -> dict:
    """Open every socket in `rounds` steps (a progress line each); memory and CPU per socket, each side apart."""
    server_rss = [rss_mb(s.pid) for s in servers]
    client_rss = [rss_mb(s.pid) for s in swarms]
    server_cpu, client_cpu = Meter([s.pid for s in servers]), Meter([s.pid for s in swarms])
    started, errors, opened = time.monotonic(), {}, 0
    sizes = split(plan.per_daphne, plan.rounds)
    retry: list[list[str]] = [[] for _ in swarms]  # each client's URLs that failed, tried again next round
    for step in range(plan.rounds + RETRY_ROUNDS):
        if step >= plan.rounds and not any(retry):
            break
        if plan.open_budget_s and time.monotonic() - started > plan.open_budget_s:
            progress(f"open: the budget of {plan.open_budget_s:.0f} s is spent; going on with {opened:,} sockets")
            break
        first = sum(sizes[:step])
        chunks = [
            (u[first : first + sizes[step]] if step < plan.rounds else []) + again
            for u, again in zip(urls, retry, strict=True)
        ]
        each = [
            {"urls": chunk or ["-"], "count": len(chunk), "parallel": PARALLEL, "deflate": False, "read": True}
            | {"timeout": OPEN_TIMEOUT_S, "offset": 0}
            for chunk in chunks
        ]
        answers = ask_all(swarms, "open", timeout=patient(1800), each=each)
        opened = sum(answer["open"] for answer in ask_all(swarms, "status"))  # held, less any closed since
        retry = [a["failed_urls"] for a in answers]
        for answer in answers:
            for why, n in answer["errors"].items():
                errors[why] = errors.get(why, 0) + n
        progress(
            f"open {step + 1}/{plan.rounds}: {opened:,} of {plan.sockets:,} sockets in {time.monotonic() - started:.0f} s"
            f" (servers {server_cpu.used():.0f} CPU-s, clients {client_cpu.used():.0f}; {sum(map(len, retry))} to try"
            f" again; load {load_average()})"
        )
    seconds = time.monotonic() - started
    held = [open_descriptors(s.pid) for s in servers]
    server_grew = sum(rss_mb(s.pid) for s in servers) - sum(server_rss)
    client_grew = sum(rss_mb(s.pid) for s in swarms) - sum(client_rss)
    return {
        "opened": opened,
        "errors": errors,
        "seconds": round(seconds, 1),
        "server_baseline_mb": round(statistics.mean(server_rss), 1),
        "server_rss_mb": round(sum(rss_mb(s.pid) for s in servers), 1),
        "server_kib_per_socket": round(server_grew * 1024 / max(1, opened), 1),
        "client_baseline_mb": round(statistics.mean(client_rss), 1),
        "client_rss_mb": round(sum(rss_mb(s.pid) for s in swarms), 1),
        "client_kib_per_socket": round(client_grew * 1024 / max(1, opened), 1),
        "server_cpu_ms_per_open": round(server_cpu.used() * 1e3 / max(1, opened), 3),
        "client_cpu_ms_per_open": round(client_cpu.used() * 1e3 / max(1, opened), 3),
        "server_cpu_s": round(server_cpu.used(), 1),
        "client_cpu_s": round(client_cpu.used(), 1),
        "descriptors_per_daphne": max(held),
        "ports_per_destination": plan.per_daphne,
    }


def reached(plan: Plan, opened: int) -> tuple[int, int]:
    """Sockets open on the in-memory and on the Redis Daphnes: every Daphne opens its share, failures retried."""
    n_memory = round(opened * plan.memory_daphnes / plan.daphnes)
    return n_memory, opened - n_memory


def heartbeat(plan: Plan, servers: list[Server], swarms: list[Swarm], redis_url: str) -> dict:
    """An idle window: what Daphne's keepalive pings and the chat's renewals cost, in CPU and Redis commands."""
    client = redis.Redis.from_url(redis_url)
    memory = Meter([s.pid for s in servers[: plan.memory_daphnes]])
    redis_side = Meter([s.pid for s in servers[plan.memory_daphnes :]])
    clients = Meter([s.pid for s in swarms])
    calls = client.info("stats")["total_commands_processed"]
    redis_cpu = client.info("cpu")["used_cpu_sys"] + client.info("cpu")["used_cpu_user"]
    time.sleep(plan.heartbeat_s)  # the window: nothing is sent, so all the CPU is keeping sockets alive
    window = time.monotonic() - memory.at
    commands = client.info("stats")["total_commands_processed"] - calls - 3  # less our own INFO
    redis_cpu = client.info("cpu")["used_cpu_sys"] + client.info("cpu")["used_cpu_user"] - redis_cpu
    client.close()
    n_memory, n_redis = reached(plan, sum(answer["open"] for answer in ask_all(swarms, "status")))
    figures = {
        "window_s": round(window, 1),
        "memory_cores": round(memory.used() / window, 5),
        "redis_daphne_cores": round(redis_side.used() / window, 5),
        "client_cores": round(clients.used() / window, 5),
        "redis_commands_per_s": round(commands / window, 1),
        "redis_server_cores": round(redis_cpu / window, 5),
    }
    figures["memory_us_per_socket_s"] = round(figures["memory_cores"] * 1e6 / n_memory, 2)
    figures["redis_us_per_socket_s"] = round(figures["redis_daphne_cores"] * 1e6 / n_redis, 2)
    progress(f"heartbeat: {figures}")
    return figures


def broadcast(
    plan: Plan,
    swarms: list[Swarm],
    servers: list[Server],
    says: dict[int, list[str]],
    idle: float,
    text: str,
    expect: int,
) -> dict:
    """Clients say `text` in their rooms at once; until `expect` sockets have it: latency percentiles, and the
    servers' CPU net of their idle `idle` cores over the same time."""
    cpu = Meter([s.pid for s in servers])
    each = [{"rooms": says.get(c, []), "text": text} for c in range(len(swarms))]
    sent_at = min(answer["sent_at"] for answer in ask_all(swarms, "say", each=each))
    heard, deadline = 0, time.monotonic() + plan.give_up_s
    while heard < expect and time.monotonic() < deadline:
        answers = ask_all(
            swarms, "wait", timeout=60, each=[{"text": text, "timeout": 0.5, "expect": expect}] * len(swarms)
        )
        heard = sum(answer["got"] for answer in answers)
    used = cpu.used() - idle * (time.monotonic() - cpu.at)
    arrivals = [
        at for answer in ask_all(swarms, "arrivals", each=[{"text": text}] * len(swarms)) for at in answer["at"]
    ]
    figures = {"expected": expect, **latencies(arrivals, sent_at), "server_cpu_s": round(used, 3)}
    figures["cpu_us_per_delivery"] = round(used * 1e6 / max(1, len(arrivals)), 1)
    progress(f"broadcast {text}: {figures}")
    return figures


def broadcasts(plan: Plan, servers: list[Server], swarms: list[Swarm], tag: str, idle: float) -> dict:
    """A room of `room` in one in-memory Daphne, one split over the Redis Daphnes, then every room at once."""
    memory_rooms = -(-plan.per_daphne // plan.room)
    redis_rooms = plan.redis_daphnes * plan.per_daphne // plan.room
    first_redis = plan.memory_daphnes
    everyone = {d: [f"chat/{tag}m{d}r{j}/" for j in range(memory_rooms)] for d in range(plan.memory_daphnes)}
    everyone[first_redis] = [f"chat/{tag}rr{k}/" for k in range(redis_rooms)]
    members = open_by_room(swarms)  # what each room holds now: a handshake that never succeeded is no member
    room_memory, room_redis = f"chat/{tag}m0r0/", f"chat/{tag}rr0/"
    return {
        "room_memory": broadcast(plan, swarms, servers, {0: [room_memory]}, idle, "room-memory", members[room_memory]),
        "room_redis": broadcast(
            plan, swarms, servers, {first_redis: [room_redis]}, idle, "room-redis", members[room_redis]
        ),
        "everyone": broadcast(plan, swarms, servers, everyone, idle, "everyone", sum(members.values())),
        "rooms": memory_rooms * plan.memory_daphnes + redis_rooms,
    }


def open_by_room(swarms: list[Swarm]) -> dict[str, int]:
    """Open sockets by room path, over every client process."""
    members: dict[str, int] = {}
    for answer in ask_all(swarms, "rooms"):
        for path, n in answer["open"].items():
            members[path] = members.get(path, 0) + n
    return members


def storm(plan: Plan, servers: list[Server], swarms: list[Swarm]) -> dict:
    """SIGKILL `killed` in-memory Daphnes; their clients come back (backoff with jitter) on the survivors."""
    killed, survivors = servers[: plan.killed], servers[plan.killed :]
    bases = {server.ws_url("").rstrip("/") for server in survivors}
    moves = {server.ws_url("").rstrip("/"): sorted(bases) for server in killed}
    each = [{"policy": "backoff with jitter", "give_up_s": plan.give_up_s, "moves": moves}] * len(swarms)
    ask_all(swarms, "reconnect", each=each)
    server_cpu, client_cpu = Meter([s.pid for s in survivors]), Meter([s.pid for s in swarms])
    cut = sum(n for path, n in open_by_room(swarms).items() if any(f"m{d}r" in path for d in range(plan.killed)))
    killed_at = time.monotonic()
    for server in killed:
        server.process.kill()  # by its PID: SIGKILL, as the OOM killer or a lost machine does
        server.process.wait()
    status, shown = [], killed_at
    deadline = killed_at + plan.give_up_s + 60
    while time.monotonic() < deadline:
        status = ask_all(swarms, "status")
        back, lost = sum(s["back"] for s in status), sum(s["lost"] for s in status)
        if time.monotonic() - shown >= 10:
            shown = time.monotonic()
            progress(
                f"storm: {back:,} of {cut:,} back, {lost} lost, {time.monotonic() - killed_at:.0f} s after the kill"
            )
        if back + lost >= cut:
            break
        time.sleep(1)
    failures: dict[str, int] = {}
    for entry in status:
        for why, n in entry["failures"].items():
            failures[why] = failures.get(why, 0) + n
    last = max((s["last_back_at"] for s in status if s["last_back_at"]), default=None)
    figures = {
        "cut": sum(s["closed"] for s in status),
        "back": sum(s["back"] for s in status),
        "lost": sum(s["lost"] for s in status),
        "all_back_s": round(last - killed_at, 1) if last else None,
        "failures": failures,
        "survivors_cpu_s": round(server_cpu.used(), 1),
        "clients_cpu_s": round(client_cpu.used(), 1),
        "server_cpu_ms_per_reconnect": round(server_cpu.used() * 1e3 / max(1, sum(s["back"] for s in status)), 3),
        "most_descriptors_per_survivor": max(open_descriptors(s.pid) for s in survivors),
        "survivors": len(survivors),
    }
    progress(f"storm: {figures}")
    return figures


# --- predicted beside measured; what runs out next -------------------------------------


def comparisons(predicted: dict, measured: dict) -> list[dict]:
    opened, beat, cast, st = measured["open"], measured["heartbeat"], measured["broadcast"], measured["storm"]
    rows = [
        ("server memory, KiB per socket", predicted["server_kib_per_socket"], opened["server_kib_per_socket"]),
        ("server memory, MB in all", predicted["server_rss_mb"], opened["server_rss_mb"]),
        ("client memory, KiB per socket", predicted["client_kib_per_socket"], opened["client_kib_per_socket"]),
        ("server CPU per open, ms", predicted["open_cpu_ms_per_socket"], opened["server_cpu_ms_per_open"]),
        (
            "open all, CPU-s (servers + clients)",
            predicted["open_cpu_s"],
            opened["server_cpu_s"] + opened["client_cpu_s"],
        ),
        ("open all, s", predicted["open_all_s"], opened["seconds"]),
        ("heartbeat, in-memory Daphnes, cores", predicted["heartbeat_cores"]["memory"], beat["memory_cores"]),
        ("heartbeat, Redis Daphnes, cores", predicted["heartbeat_cores"]["redis"], beat["redis_daphne_cores"]),
        ("heartbeat, Redis commands/s", predicted["redis_commands_per_s"], beat["redis_commands_per_s"]),
        ("room in one process, server CPU-s", predicted["room_cpu_s"]["memory"], cast["room_memory"]["server_cpu_s"]),
        (
            "room in one process, last has it ms",
            predicted["room_all_have_it_ms"]["memory"],
            cast["room_memory"].get("max_ms"),
        ),
        ("room through Redis, server CPU-s", predicted["room_cpu_s"]["redis"], cast["room_redis"]["server_cpu_s"]),
        (
            "room through Redis, last has it ms",
            predicted["room_all_have_it_ms"]["redis"],
            cast["room_redis"].get("max_ms"),
        ),
        ("every socket, server CPU-s", predicted["everyone_cpu_s"], cast["everyone"]["server_cpu_s"]),
        ("every socket, last has it ms", predicted["everyone_all_have_it_ms"], cast["everyone"].get("max_ms")),
        ("storm, survivors' CPU-s", predicted["storm_cpu_s"], st["survivors_cpu_s"]),
        ("storm, all back s", predicted["storm_all_back_s"], st["all_back_s"]),
    ]
    return [comparison(*row) for row in rows]


def comparison(figure: str, predicted: float | None, measured: float | None) -> dict:
    if predicted is None or not measured:
        return {"figure": figure, "predicted": predicted, "measured": measured, "error_percent": None}
    error = (predicted - measured) / measured * 100
    return {"figure": figure, "predicted": round(predicted, 3), "measured": measured, "error_percent": round(error, 1)}


def memory_limits(plan: Plan, opened: dict) -> list[dict]:
    """This machine's memory: what the run used of it, and how many sockets it would hold, linearly."""
    memory_mb = total_mb()
    per_socket_kib = opened["server_kib_per_socket"] + opened["client_kib_per_socket"]
    fixed_mb = plan.daphnes * (opened["server_baseline_mb"] + opened["client_baseline_mb"])
    return [
        {
            "resource": f"memory, {memory_mb / 1024:.0f} GiB (clients on this machine too)",
            "used": opened["server_rss_mb"] + opened["client_rss_mb"],
            "unit": "MB",
            "sockets": int((memory_mb * 0.8 - fixed_mb) * 1024 / per_socket_kib),
        },
        {
            "resource": "memory, servers alone (clients elsewhere)",
            "used": opened["server_rss_mb"],
            "unit": "MB",
            "sockets": int(
                (memory_mb * 0.8 - plan.daphnes * opened["server_baseline_mb"]) * 1024 / opened["server_kib_per_socket"]
            ),
        },
    ]


def limits(plan: Plan, measured: dict) -> list[dict]:
    """Each resource of this machine: what the run used of it, and how many sockets it would hold, linearly."""
    import resource

    opened, beat, st = measured["open"], measured["heartbeat"], measured["storm"]
    n = max(1, opened["opened"])
    n_redis = reached(plan, n)[1]
    cores = len(os.sched_getaffinity(0))
    idle_us = (beat["memory_cores"] + beat["redis_daphne_cores"] + beat["client_cores"]) * 1e6 / n
    redis_us = beat["redis_server_cores"] * 1e6 / max(1, n_redis)
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    file_max = int(Path("/proc/sys/fs/file-max").read_text())
    low, high = map(int, EPHEMERAL_PORTS.read_text().split())
    rows = [
        *memory_limits(plan, opened),
        {
            "resource": f"CPU kept idle sockets alive, {cores} cores",
            "used": round(idle_us * n / 1e6, 3),
            "unit": "cores",
            "sockets": int(cores * 0.7 * 1e6 / idle_us) if idle_us else None,
        },
        {
            "resource": f"the storm: reconnecting one process's share, {cores} cores",
            "used": st["survivors_cpu_s"],
            "unit": "CPU-s",
            "sockets": None,
        },
        {
            "resource": "Redis's one thread (Redis sockets renewing)",
            "used": beat["redis_server_cores"],
            "unit": "cores",
            "sockets": int(0.7 * 1e6 / redis_us) if redis_us else None,
        },
        {
            "resource": f"open files, {hard:,} per process",
            "used": opened["descriptors_per_daphne"],
            "unit": "per Daphne",
            "sockets": None,
        },
        {
            "resource": f"open files, {file_max:,} system-wide (2 per socket here)",
            "used": 2 * n,
            "unit": "files",
            "sockets": file_max // 2,
        },
        {
            "resource": f"ephemeral ports, {high - low + 1:,} per destination",
            "used": opened["ports_per_destination"],
            "unit": "per Daphne port",
            "sockets": None,
        },
    ]
    return rows


# --- the Markdown ----------------------------------------------------------------------


def render(result: dict) -> list[str]:
    lines = [f"## {TITLE}", ""]
    if result.get("status") != "ok":
        return lines + [f"Not run: {result.get('status')}"]
    return lines + summary(result["plan"], result["measured"]) + tables(result)


def summary(plan: dict, m: dict) -> list[str]:
    """The run in a paragraph and three lines: the plan, the opening, the heartbeat and the storm."""
    o, b, s = m["open"], m["heartbeat"], m["storm"]
    sockets = (plan["memory_daphnes"] + plan["redis_daphnes"]) * plan["per_daphne"]
    return [
        f"{plan['memory_daphnes'] + plan['redis_daphnes']} Daphnes (lessons.settings_production; "
        f"{plan['memory_daphnes']} on the in-memory layer, {plan['redis_daphnes']} on Redis core), "
        f"{plan['per_daphne']:,} chat sockets each, {sockets:,} in all, in rooms of {plan['room']:,}; one client "
        f"process per Daphne. Load average {m['machine_at_start']['load_average']} at the start, "
        f"{m['machine_at_end']['load_average']} at the end.",
        "",
        f"- Open: {o['opened']:,} of {sockets:,} in {o['seconds']:g} s ({sum(o['errors'].values())} failed tries; "
        f"{o.get('still_open', o['opened']):,} still open after the heartbeat); "
        f"server {o['server_kib_per_socket']:g} KiB and {o['server_cpu_ms_per_open']:g} ms CPU per socket, client "
        f"{o['client_kib_per_socket']:g} KiB and {o['client_cpu_ms_per_open']:g} ms; "
        f"{o['descriptors_per_daphne']:,} descriptors in the fullest Daphne.",
        f"- Heartbeat ({b['window_s']:g} s idle): in-memory Daphnes {b['memory_cores']:g} cores "
        f"({b['memory_us_per_socket_s']:g} µs/s a socket), Redis Daphnes {b['redis_daphne_cores']:g} "
        f"({b['redis_us_per_socket_s']:g} µs/s), clients {b['client_cores']:g}; Redis {b['redis_commands_per_s']:,.0f} "
        f"commands/s, {b['redis_server_cores']:g} cores.",
        f"- Storm: {s['cut']:,} cut, {s['back']:,} back on {s['survivors']} survivors in {s['all_back_s']} s, "
        f"{s['lost']} lost; survivors {s['survivors_cpu_s']:g} CPU-s ({s['server_cpu_ms_per_reconnect']:g} ms a "
        f"reconnect); failed tries: {', '.join(f'{k} {v:,}' for k, v in s['failures'].items()) or 'none'}.",
        "",
    ]


def tables(result: dict) -> list[str]:
    """The broadcasts, the model's predictions beside the figures, and what runs out first."""
    c, lines = result["measured"]["broadcast"], []
    rows = [
        [
            name,
            f"{x['heard']:,} of {x['expected']:,}",
            x.get("p50_ms"),
            x.get("p99_ms"),
            x.get("max_ms"),
            x["server_cpu_s"],
            x["cpu_us_per_delivery"],
        ]
        for name, x in (
            ("a room in one process", c["room_memory"]),
            ("a room through Redis", c["room_redis"]),
            (f"every socket ({c['rooms']} rooms at once)", c["everyone"]),
        )
    ]
    headers = ["broadcast", "heard", "p50 ms", "p99 ms", "max ms", "server CPU-s", "CPU µs/delivery"]
    lines += table(headers, rows).splitlines() + [""]
    rows = [
        [
            r["figure"],
            "not in the model" if r["predicted"] is None else f"{r['predicted']:,}",
            f"{r['measured']:,}" if r["measured"] is not None else "—",
            "—" if r["error_percent"] is None else f"{r['error_percent']:+.1f} %",
        ]
        for r in result["rows"]
    ]
    lines += table(["figure", "predicted", "measured", "error"], rows).splitlines() + [""]
    rows = [
        [r["resource"], f"{r['used']:,} {r['unit']}", f"{r['sockets']:,}" if r["sockets"] else "—"]
        for r in result["limits"]
    ]
    return lines + table(["resource", "this run used", "sockets it holds"], rows).splitlines()


def write_reference(result: dict, lines: list[str], written: str) -> None:
    title = f"# Lesson 14 at the top: one run of `python -m bench.scale.top`, {written}"
    TOP_REFERENCE.with_suffix(".md").write_text("\n".join([title, "", *lines]) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="300 sockets over 2 Daphnes")
    parser.add_argument("--reference", action="store_true", help="write bench/scale/top-reference.json and .md")
    parser.add_argument("--render", action="store_true", help="rewrite top-reference.md from its JSON, run nothing")
    parser.add_argument("--per-daphne", type=int, help="sockets per Daphne (the full run's size otherwise)")
    parser.add_argument("--open-budget-min", type=float, help="stop opening after this many minutes, go on with those")
    parser.add_argument("--give-up-min", type=float, help="how long a broadcast or a cut client is waited for")
    args = parser.parse_args(argv)
    from bench.common.machine import describe

    if args.render:  # and the figures derived from the measured ones, with this code
        result = json.loads(TOP_REFERENCE.read_text())
        plan, beat = Plan(**result["plan"]), result["measured"]["heartbeat"]
        n_memory, n_redis = reached(plan, result["measured"]["open"]["still_open"])
        beat["memory_us_per_socket_s"] = round(beat["memory_cores"] * 1e6 / n_memory, 2)
        beat["redis_us_per_socket_s"] = round(beat["redis_daphne_cores"] * 1e6 / n_redis, 2)
        result["limits"] = rows = limits(plan, result["measured"])
        result["runs_out_first"] = min((row for row in rows if row["sockets"]), key=lambda row: row["sockets"])[
            "resource"
        ]
        TOP_REFERENCE.write_text(json.dumps(result, indent=1) + "\n")
        write_reference(result, render(result) + ["", f"Wall time: {result['wall_s']} s."], result["written"])
        return 0
    # SIGTERM (a job stopped, `kill PID`) ends the run through its `finally`: every process it started is stopped.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    started = time.monotonic()
    plan = SMALL if args.small else FULL
    if args.per_daphne:
        plan = replace(plan, per_daphne=args.per_daphne)
    if args.open_budget_min:
        plan = replace(plan, open_budget_s=args.open_budget_min * 60)
    if args.give_up_min:
        plan = replace(plan, give_up_s=args.give_up_min * 60)
    result = asyncio.run(measure(args.small, plan))
    result["machine"] = describe("redis://127.0.0.1:1/0")
    result["wall_s"] = round(time.monotonic() - started, 1)
    lines = render(result) + ["", f"Wall time: {result['wall_s']} s."]
    print("\n".join(lines))
    if args.reference:
        result["written"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        TOP_REFERENCE.write_text(json.dumps(result, indent=1) + "\n")
        write_reference(result, lines, result["written"])
    return 0 if result.get("status") == "ok" else 1


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
    sys.exit(main(sys.argv[1:]))
