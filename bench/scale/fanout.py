"""Fan-out as rooms grow: one chat message to rooms of 100, 1,000 and 5,000 sockets over 1, 2 and 4 Daphnes.

The lesson 04/05 chat (`ws/chat/<room>/`) on the in-memory layer (one process:
it cannot join two), Redis core and Redis pub/sub. Client processes
(bench/scale/swarm.py) hold the room's sockets, spread over the Daphnes in
turn; one socket says `{"message": ...}` and the clock stops when the last
socket of the room has it (every client process notes its sockets' arrival
times on the one monotonic clock). Per row: the median of a few broadcasts,
deliveries/s, all Daphnes' CPU per delivery, and the Redis commands one
broadcast costs (INFO commandstats before and after, on a redis-server of its
own when one is installed, so no other program's commands count). Bigger rooms
come after smaller ones in the same processes; each room's sockets are dropped
before the next room opens.

An open room costs something with no broadcast at all: every Daphne idles, and
every chat socket renews its membership every 10 s (layers_demo/membership.py;
on Redis core a ZADD and an EXPIRE). So each row also measures a quiet window,
half just before its broadcasts and half just after (a trend cancels), and its
figures per delivery and per broadcast are net of that baseline: CPU less the
quiet CPU/s over the broadcasts' time; Redis commands less the renewals counted
in the broadcasts' time (on core a group_add is the only EXPIRE without a
ZCOUNT before it: channels_redis core.py; a burst of them also opens pool
connections, a HELLO and a PING each) and less the quiet rate of anything else.
The gross figures stay in the JSON beside them (`*_gross`), with the quiet
window's own: `quiet_s`, `quiet_cpu_percent` (of one core, all Daphnes),
`quiet_redis_commands_per_s`, `quiet_renewals_per_s` (core only) and
`renewals_in_window`. bench/capacity/fit.py fits a renewal's CPU from them.

The in-memory layer's curve comes from its source: every `receive()` starts
with `_clean_expired()` (channels/layers.py, InMemoryChannelLayer), which walks
every channel with a message waiting and every member of every group. A
broadcast to N sockets is N receives, so N walks of about N entries: the cost
per delivery grows with the room, and a broadcast with its square. The section
also times `_clean_expired()` alone, in this process, at each room size.

    .venv/bin/python bench/scale/run.py --only fanout [--small]
"""

import contextlib
import functools
import os
import shutil
import statistics
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import redis
from channels.layers import InMemoryChannelLayer

from bench.common.clients import ms
from bench.common.processes import Server, start_daphne, why_redis_is_missing
from bench.common.report import table
from bench.scale.swarm import ask_all, split, start_swarms, stop_swarms
from harness.patience import CONDITION, patient
from harness.servers import PrivateRedis, delete_prefixed_keys

TITLE = "Fan-out as rooms grow"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
FULL = {
    "setups": [("memory", 1), ("core", 1), ("core", 2), ("core", 4), ("pubsub", 1), ("pubsub", 2), ("pubsub", 4)],
    # Room size: broadcasts timed (after one warm-up). A small room's broadcast is a few ms of CPU: it takes
    # many of them for a figure that holds from run to run, and the model's small rooms rest on it.
    "rooms": {100: 15, 1000: 4, 5000: 2},
    # One in-memory broadcast to 5,000 takes ~11 s (the N² walk): timed once, with no warm-up, it pays
    # for every row's quiet window.
    "memory_rooms": {100: 15, 1000: 4, 5000: 1},
    "swarms": 4,
}
SMALL = {
    "setups": [("memory", 1), ("core", 1), ("core", 2), ("pubsub", 1), ("pubsub", 2)],
    "rooms": {300: 2},
    "memory_rooms": {300: 2},
    "swarms": 2,
}
IN_FLIGHT = 48  # handshakes in flight over all client processes: Daphne's listen backlog is 50
# Each of the two quiet windows around a row's broadcasts. Daphne's idle CPU comes
# in ticks about a second apart and renewals in bursts: 2 × 0.5 s is a sample, not a
# mean; the rooms of 100 and 1,000 renew nothing yet (their sockets are under 10 s old).
QUIET_S = 0.5


async def clean_expired_us(size: int) -> float:
    """Microseconds one `_clean_expired()` takes with `size` sockets in one group, each with a message waiting."""
    layer = InMemoryChannelLayer()

    for n in range(size):
        name = f"specific.inmemory!{n:012d}"
        await layer.group_add("room", name)
        await layer.send(name, {"type": "chat.message", "message": "hello"})
    calls = max(3, 20000 // size)
    started = time.perf_counter()
    for _ in range(calls):
        layer._clean_expired()
    return round((time.perf_counter() - started) / calls * 1e6, 1)


@functools.cache
def redis_client(url: str) -> redis.Redis:
    """One connection for every reading: a new one would add its own HELLO to the counts."""
    return redis.Redis.from_url(url)


def redis_calls(url: str | None) -> dict[str, int]:
    """Commands the Redis server has run so far, by name (those inside Lua scripts too), INFO left out."""
    if url is None:  # the in-memory layer
        return {}
    stats = redis_client(url).info("commandstats")
    return {key.removeprefix("cmdstat_"): value["calls"] for key, value in stats.items() if key != "cmdstat_info"}


def renewals(calls: dict[str, int]) -> int:
    """Group joins among `calls` on Redis core: group_add's EXPIRE is the only one without a ZCOUNT before it."""
    return calls.get("expire", 0) - calls.get("zcount", 0)


def renewal_commands(calls: dict[str, int]) -> int:
    """The commands renewals cost: a ZADD and an EXPIRE each, and the pool connections a burst of them
    opens (a HELLO, then a PING health check, each)."""
    return 2 * renewals(calls) + calls.get("hello", 0) + calls.get("ping", 0)


def reading(servers: list[Server], url: str | None) -> tuple[float, float, dict[str, int]]:
    """Now: the clock, all servers' CPU seconds, Redis calls by name."""
    return time.monotonic(), sum(server.cpu_seconds() for server in servers), redis_calls(url)


def between(before: tuple, after: tuple) -> tuple[float, float, dict[str, int]]:
    """Seconds, CPU seconds and Redis calls by name from one reading to the next."""
    calls = {name: count - before[2].get(name, 0) for name, count in after[2].items()}
    return after[0] - before[0], after[1] - before[1], calls


def quiet(servers: list[Server], url: str | None) -> tuple[float, float, dict[str, int]]:
    """QUIET_S seconds with the room open and nobody talking."""
    before = reading(servers, url)
    time.sleep(QUIET_S)
    return between(before, reading(servers, url))


def net_of_quiet(window: tuple, quiet_window: tuple) -> tuple[float, float]:
    """CPU seconds and Redis commands of the broadcasts alone in `window`, the quiet baseline taken off.

    CPU: less the quiet CPU/s over the window's seconds. Redis: less the renewals'
    commands counted in the window, and less the quiet window's other commands/s
    over the window's seconds (renewals come in bursts: counted, not extrapolated).
    """
    seconds, cpu, calls = window
    quiet_s, quiet_cpu, quiet_calls = quiet_window
    quiet_other = sum(quiet_calls.values()) - renewal_commands(quiet_calls)
    commands = sum(calls.values()) - renewal_commands(calls) - quiet_other / quiet_s * seconds
    return cpu - quiet_cpu / quiet_s * seconds, commands


def broadcast(swarms, shares: list[int], n: int, text: str, timeout: float) -> tuple[float, int]:
    """Broadcast number `n` from the next socket in turn: seconds until the room has it, and deliveries missing."""
    sender = n % len(swarms)
    index = (n // len(swarms)) % shares[sender]
    swarms[sender].tell("send", index=index, text=text)
    sent = swarms[sender].answer(timeout)["sent_at"]
    waits = ask_all(swarms, "wait", timeout=timeout + 5, each=[{"text": text, "timeout": timeout}] * len(swarms))
    missing = sum(wait["of"] - wait["got"] for wait in waits)
    last = max((wait["last_at"] or sent) for wait in waits)
    return last - sent, missing


def measure_room(servers: list[Server], swarms, size: int, rounds: int, kind: str, url: str | None) -> dict:
    room = f"scale{uuid.uuid4().hex[:8]}"
    urls = [server.ws_url(f"ws/chat/{room}/") for server in servers]
    shares = split(size, len(swarms))
    parallel = max(1, IN_FLIGHT // len(swarms))
    each = [
        {"urls": urls, "count": share, "parallel": parallel, "deflate": False, "read": True, "timeout": 30}
        for share in shares
    ]
    answers = ask_all(swarms, "open", timeout=patient(120 + size / 20), each=each)
    failed = sum(sum(answer["errors"].values()) for answer in answers)
    if failed:  # a server that is gone says why first: a row's status keeps 200 characters
        gone = [
            f"{s.name} exited ({s.process.poll()}): {s.log()[-120:]!r}" for s in servers if s.process.poll() is not None
        ]
        raise RuntimeError("; ".join([*gone, f"{failed} of {size} sockets failed to open: {answers[0]['errors']}"]))
    try:
        time.sleep(0.3)  # the last joins reach the layer
        timeout = 60 if kind == "memory" else 30
        if rounds > 1:
            broadcast(swarms, shares, 0, f"warm-up {room}", timeout)
        quiet_before = quiet(servers, url)
        before = reading(servers, url)
        times, missing = [], 0
        for n in range(1, rounds + 1):
            seconds, lost = broadcast(swarms, shares, n, f"{room} {n}", timeout)
            times.append(seconds)
            missing += lost
        window = between(before, reading(servers, url))
        quiet_after = quiet(servers, url)
    finally:
        ask_all(swarms, "drop", timeout=CONDITION)
    # Both quiet halves as one window: a baseline rising (renewals starting) or falling is averaged across the broadcasts.
    calls = {
        name: quiet_before[2].get(name, 0) + quiet_after[2].get(name, 0) for name in {*quiet_before[2], *quiet_after[2]}
    }
    quiet_window = (quiet_before[0] + quiet_after[0], quiet_before[1] + quiet_after[1], calls)
    core = kind == "core"
    cpu, commands = net_of_quiet(window, quiet_window)
    deliveries = rounds * size
    return {
        "broadcasts": rounds,
        "all_have_it_ms": ms(statistics.median(times), 1),
        "max_ms": ms(max(times), 1),
        "deliveries_per_s": round(deliveries / sum(times)),
        "cpu_us_per_delivery": round(cpu / deliveries * 1e6, 1),
        "cpu_us_per_delivery_gross": round(window[1] / deliveries * 1e6, 1),
        "redis_commands_per_broadcast": None if url is None else round(commands / rounds, 1),
        "redis_commands_per_broadcast_gross": None if url is None else round(sum(window[2].values()) / rounds, 1),
        "missing_deliveries": missing,
        "window_s": round(window[0], 3),
        "quiet_s": round(quiet_window[0], 3),
        "quiet_cpu_percent": round(quiet_window[1] / quiet_window[0] * 100, 2),
        "quiet_redis_commands_per_s": None if url is None else round(sum(calls.values()) / quiet_window[0], 1),
        "quiet_renewals_per_s": round(renewals(calls) / quiet_window[0], 1) if core else None,
        "renewals_in_window": renewals(window[2]) if core else None,
    }


def measure_setup(kind: str, processes: int, plan: dict, prefix: str, redis_url: str) -> list[dict]:
    url = None if kind == "memory" else redis_url
    with ThreadPoolExecutor(processes) as pool:  # start the Daphnes side by side: each takes a second or two
        starting = [pool.submit(start_daphne, "lessons.asgi", url, kind, prefix) for _ in range(processes)]
        servers = [future.result() for future in starting if future.exception() is None]
        errors = [future.exception() for future in starting if future.exception() is not None]
    swarms = start_swarms(plan["swarms"]) if not errors else []
    rows = []
    try:
        if errors:
            raise errors[0]
        for size, rounds in plan["memory_rooms" if kind == "memory" else "rooms"].items():
            base = {"layer": kind, "processes": processes, "room": size}
            try:
                rows.append({**base, "status": "ok", **measure_room(servers, swarms, size, rounds, kind, url)})
            except Exception as error:  # one room that fails must not hide the others
                rows.append({**base, "status": f"failed: {type(error).__name__}: {str(error)[:200]}"})
    finally:
        stop_swarms(swarms)
        for server in servers:
            server.process.kill()  # SIGKILL by PID: thousands of graceful disconnects would measure nothing
            server.stop()
    return rows


@contextlib.contextmanager
def redis_store() -> Iterator[tuple[str, str | None]]:
    """A private redis-server (its commandstats count only this section), else REDIS_URL; and why neither."""
    executable = shutil.which("redis-server")
    if executable is None:
        yield REDIS_URL, why_redis_is_missing(REDIS_URL)  # shared: another program's commands would count too
        return
    store = PrivateRedis(executable)
    try:
        yield store.url, None
    finally:
        store.stop()


async def measure(small: bool) -> dict:
    plan = SMALL if small else FULL
    prefix = f"scale-{uuid.uuid4().hex[:8]}"  # every Redis key of this section starts with it, deleted after
    rows = []
    with redis_store() as (url, missing):
        try:
            for kind, processes in plan["setups"]:
                if kind != "memory" and missing:
                    skipped = {"layer": kind, "processes": processes, "status": f"skipped: {missing}"}
                    rows += [{**skipped, "room": size} for size in plan["rooms"]]
                    continue
                rows += measure_setup(kind, processes, plan, prefix, url)
        finally:
            if not missing:
                delete_prefixed_keys(url, prefix)
    walk = {str(size): await clean_expired_us(size) for size in plan["rooms"]}
    return {"rooms": list(plan["rooms"]), "quiet_s": 2 * QUIET_S, "rows": rows, "clean_expired_us": walk}


def render(result: dict) -> list[str]:
    headers = ["layer", "processes", "room", "all have it ms (median)", "max ms", "deliveries/s"]
    headers += ["CPU us/delivery net (gross)", "Redis commands/broadcast net (gross)", "quiet CPU %"]
    headers += ["quiet Redis/s (renewals/s)", "missing"]
    rows = []
    for row in result["rows"]:
        if row["status"] != "ok":
            rows.append([row["layer"], row["processes"], row["room"], row["status"]])
            continue
        redis = row["redis_commands_per_broadcast"]
        renewing = f" ({row['quiet_renewals_per_s']:g})" if row.get("quiet_renewals_per_s") is not None else ""
        rows.append([
            row["layer"], row["processes"], row["room"], row["all_have_it_ms"], row["max_ms"], row["deliveries_per_s"],
            f"{row['cpu_us_per_delivery']} ({row['cpu_us_per_delivery_gross']})",
            "None" if redis is None else f"{redis} ({row['redis_commands_per_broadcast_gross']})",
            row["quiet_cpu_percent"],
            "None" if row["quiet_redis_commands_per_s"] is None else f"{row['quiet_redis_commands_per_s']:g}{renewing}",
            row["missing_deliveries"],
        ])  # fmt: skip
    walk = result["clean_expired_us"]
    walks = ", ".join(f"{size} sockets: {us} us" for size, us in walk.items())
    paragraph = (
        "One chat message to a room, timed until its last socket has it (the median of a few broadcasts, "
        "each from the next socket in turn). The in-memory layer's cost per delivery grows with the room because "
        "every `receive()` begins with `InMemoryChannelLayer._clean_expired()` "
        "(`.venv/lib/python3.11/site-packages/channels/layers.py`), which walks every channel holding a message "
        "and every member of every group looking for expired ones. A broadcast to N sockets is N receives, each "
        f"walking about N entries: N² work. Measured here, one walk with the whole room waiting: {walks}. "
        "The Redis layers have no such walk: core pays a few commands per delivery (each receiving process pops "
        "its sockets' messages), pub/sub one PUBLISH per broadcast and each process fans out itself. "
        "An open room costs something with no broadcast at all: every Daphne idles, and every chat socket renews "
        "its membership every 10 s (lesson 05, layers_demo/membership.py; on core a ZADD and an EXPIRE, so a room "
        "of 5,000 makes about 1,000 commands a second once its sockets are 10 s old). That is not the broadcast's "
        f"cost, so each row also measures a quiet window ({result.get('quiet_s', 1):g} s, half before its "
        "broadcasts and half after, nobody talking) and its figures are net of it: CPU less the quiet CPU/s over "
        "the broadcasts' time; Redis commands less the renewals counted in that time (a renewal's EXPIRE is the "
        "only one without a ZCOUNT) and the quiet rate of anything else. Gross figures in brackets. Renewals come "
        "in bursts (a room's sockets renew 10 s after they opened), so the 5,000 rows' net CPU is the roughest."
    )
    return [f"## {TITLE}", "", paragraph, "", *table(headers, rows).splitlines()]
