"""Lesson 15's failover, measured: the Redis primary killed under two Daphnes that find it through Sentinel.

One run (`failover()`), on the core layer or on pub/sub:

1. deploy/redis.conf as a primary and a replica, deploy/sentinel.conf three times
   (down-after-milliseconds 1000), and two Daphnes with REDIS_SENTINELS;
2. alice (Daphne a) and bob (Daphne b) chat in one room, a numbered message each
   every 100 ms; an echo socket on each Daphne sends every 50 ms; a liveblog socket on
   Daphne a reconnects with ?since=<last id> whenever it is closed (lesson 12's client);
   a third process saves a Post every 200 ms (`python -m bench.failover.run --save-posts`);
3. the primary is killed (SIGKILL) one second in; then: when a sentinel names the
   replica as the new primary, when a new room first chats across both Daphnes, how
   each open socket ended, how many chat deliveries were lost, what the liveblog missed.

tests/test_15/test_sentinel_slow.py runs it and asserts the contract; this script runs
it on a throwaway database, three runs per layer (about two minutes), and writes
what it measured to a new file, leaving the reference lesson 15 quotes as it is:

    python -m bench.failover.run                   # writes failover-<time>.json and .md in the temp dir
    python -m bench.failover.run --layer pubsub --runs 10 --out bench/failover/pubsub_runs   # about 4 minutes
    python -m bench.failover.run --reference       # rewrites bench/failover/reference.json and .md
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from harness.patience import COMMAND, CONDITION, FRAME, polled
from harness.servers import REPO_DIR, DaphneServer, RedisSentinels, daphne_env
from layers_demo.flood import DEFAULT_LIMIT

REFERENCE_JSON = REPO_DIR / "bench" / "failover" / "reference.json"
REFERENCE_MD = REPO_DIR / "bench" / "failover" / "reference.md"
# Ten runs on pub/sub alone: how often its open chat sockets carry on (lesson 15 says how often, from these).
PUBSUB_RUNS = REPO_DIR / "bench" / "failover" / "pubsub_runs"
INTERVAL = 0.05  # seconds between two echoes
CHAT_INTERVAL = 0.1  # seconds between two chat messages of one sender
AFTER = 2.0  # seconds of chat once the failover is over: some traffic on the new primary too
# The chat's flood limit (layers_demo/flood.py): a socket's 101st message within a minute is refused. A sender
# sends at most this many, and keeps AFTER's share of them for after the failover, however long the failover
# takes (beside a busy machine, 15 s: at 10 a second, the last ones were refused, and counted as lost).
FLOOD_LIMIT = DEFAULT_LIMIT
POSTS, POST_INTERVAL = 40, 0.2  # the saver's Posts, one every 0.2 s: 8 s around the kill
RUNS = 3  # the reference's runs per layer


def sentinel_env(base: dict[str, str], sentinels: RedisSentinels, kind: str) -> dict[str, str]:
    """A Daphne's (or manage.py's) environment with the layer found through `sentinels`."""
    return {**base, "REDIS_SENTINELS": sentinels.addresses, "CHANNEL_LAYER": kind}


class Socket:
    """One client socket that records every frame with its arrival time, and how the server ended it."""

    def __init__(self, server, path: str):
        self.server, self.path = server, path
        self.frames: list[tuple[float, dict | str]] = []
        self.close_code: int | None = None  # None: still open when the client itself closed it
        self.closed_at = float("inf")
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.closing = False

    async def open(self) -> "Socket":
        self.ws = await connect(self.server.ws_url(self.path), origin=self.server.http_url, open_timeout=CONDITION)
        self.reader = asyncio.create_task(self.read())
        return self

    async def read(self) -> None:
        try:
            async for frame in self.ws:
                with contextlib.suppress(ValueError):
                    frame = json.loads(frame)
                self.frames.append((time.monotonic(), frame))
        except ConnectionClosed:
            pass
        if not self.closing:  # the server (or the network) ended it
            self.close_code = self.ws.close_code
            self.closed_at = time.monotonic()

    async def send(self, text: str) -> bool:
        """Send `text`; False if the socket is closed."""
        try:
            await self.ws.send(text)
        except ConnectionClosed:
            return False
        return True

    async def close(self) -> None:
        self.closing = True
        await self.ws.close()
        await self.reader


async def chats_across(a: DaphneServer, b: DaphneServer, room: str) -> bool:
    """True if a new socket on `a` and one on `b`, in a new room, hear each other within 1 s each way."""
    opened = []
    try:
        for server in (a, b):
            opened.append(await Socket(server, f"ws/chat/{room}/").open())
    except (OSError, InvalidStatus, TimeoutError):
        for socket in opened:
            await socket.close()
        return False
    left, right = opened
    try:
        for speaker, listener in ((left, right), (right, left)):
            await speaker.send(json.dumps({"message": f"hello from {speaker.server.port}"}))
            deadline = time.monotonic() + 1
            while not any(
                isinstance(f, dict) and f.get("message") == f"hello from {speaker.server.port}"
                for _, f in listener.frames
            ):
                if time.monotonic() > deadline or listener.close_code is not None:
                    return False
                await asyncio.sleep(0.02)
        return True
    finally:
        await left.close()
        await right.close()


async def chatter(socket: Socket, name: str, sent: list, stop: asyncio.Event, over: asyncio.Event) -> None:
    """Send "<name>:<k>" every CHAT_INTERVAL until `stop`, within the flood limit; record what was sent, and when.

    Until the failover is `over`, the sender keeps back what it will send after it (AFTER).
    """
    k = 0
    while not stop.is_set():
        if k >= FLOOD_LIMIT - (0 if over.is_set() else round(AFTER / CHAT_INTERVAL)):
            await asyncio.sleep(CHAT_INTERVAL)  # not a message more than the limit lets through
            continue
        text = f"{name}:{k}"
        when = time.monotonic()
        if not await socket.send(json.dumps({"message": text})):
            return
        sent.append((when, text))
        k += 1
        await asyncio.sleep(CHAT_INTERVAL)


async def echoer(socket: Socket, stop: asyncio.Event) -> dict:
    """Echo a counter every INTERVAL until `stop`: how many came back and the longest wait for one."""
    sent = answered = 0
    longest = 0.0
    while not stop.is_set() and socket.close_code is None:
        before = len(socket.frames)
        started = time.monotonic()
        if not await socket.send(str(sent)):
            break
        sent += 1
        while len(socket.frames) == before and socket.close_code is None and time.monotonic() - started < FRAME:
            await asyncio.sleep(0.005)
        if len(socket.frames) > before:
            answered += 1
            longest = max(longest, time.monotonic() - started)
        await asyncio.sleep(INTERVAL)
    return {"sent": sent, "answered": answered, "longest_wait_s": round(longest, 3), "close_code": socket.close_code}


class LiveblogClient:
    """Lesson 12's client: on ws/liveblog/, and whenever it is closed, back with ?since=<last id seen>."""

    def __init__(self, server, since: int):
        self.server, self.since = server, since
        self.posts: list[int] = []
        self.close_codes: list[int | None] = []

    def last_id(self) -> int:
        return max(self.posts, default=self.since)

    async def run(self) -> None:
        while True:
            try:
                async with connect(
                    self.server.ws_url(f"ws/liveblog/?since={self.last_id()}"), origin=self.server.http_url
                ) as ws:
                    async for frame in ws:
                        post = json.loads(frame).get("post")
                        if post:
                            self.posts.append(post["id"])
                    self.close_codes.append(ws.close_code)
            except ConnectionClosed as closed:
                self.close_codes.append(closed.rcvd and closed.rcvd.code)
            except (OSError, InvalidStatus, TimeoutError):
                pass
            await asyncio.sleep(0.1)


def finish(saver: subprocess.Popen) -> tuple[str, str]:
    """The saver's output once it ends; killed if it outlives COMMAND, so a failure leaves nothing running."""
    try:
        return saver.communicate(timeout=COMMAND)
    finally:
        if saver.poll() is None:
            saver.kill()
            saver.communicate()


def start_saver(env: dict[str, str]) -> subprocess.Popen:
    """A third process saving POSTS Posts, one every POST_INTERVAL s (see save_posts below)."""
    argv = [sys.executable, "-m", "bench.failover.run", "--save-posts", str(POSTS)]
    return subprocess.Popen(argv, cwd=REPO_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def failover(sentinels: RedisSentinels, base_env: dict[str, str], kind: str, since: int) -> dict:
    """Kill the primary mid-chat under two Daphnes on `kind` ("core" or "pubsub"); return what happened."""
    env = sentinel_env(base_env, sentinels, kind)
    a, b = DaphneServer(env), DaphneServer(env)
    try:
        return await observe(sentinels, env, a, b, since) | {"layer": kind}
    finally:
        a.stop()
        b.stop()
        logs = a.log() + b.log()
        if "Exception inside application" in logs:
            print(logs[-4000:], file=sys.stderr)


async def observe(sentinels: RedisSentinels, env: dict[str, str], a, b, since: int) -> dict:
    """The run itself, on Daphnes `a` and `b`: traffic, the kill, the recovery; what each client saw."""
    alice, bob = await Socket(a, "ws/chat/failover/").open(), await Socket(b, "ws/chat/failover/").open()
    echoes = [await Socket(server, "ws/async/echo/").open() for server in (a, b)]
    liveblog = LiveblogClient(a, since)
    reading = asyncio.create_task(liveblog.run())
    saver = start_saver(env)
    stop = asyncio.Event()
    sent: list[tuple[float, str]] = []
    over = asyncio.Event()
    chatting = [asyncio.create_task(chatter(s, name, sent, stop, over)) for s, name in ((alice, "a"), (bob, "b"))]
    echoing = [asyncio.create_task(echoer(socket, stop)) for socket in echoes]

    await asyncio.sleep(1)
    killed = await asyncio.to_thread(sentinels.kill_primary)
    promoted = await asyncio.to_thread(sentinels.wait_for_promotion)
    while not await chats_across(a, b, f"after-{uuid.uuid4().hex[:8]}"):
        if time.monotonic() - promoted > 60:  # the test then fails on the 20 s the contract allows
            break
        await asyncio.sleep(0.1)
    chatting_again = time.monotonic()
    over.set()
    await asyncio.sleep(AFTER)
    stop.set()
    await asyncio.gather(*chatting)
    echoed = await asyncio.gather(*echoing)
    saved_lines, saver_errors = await asyncio.to_thread(finish, saver)
    saved = [json.loads(line) for line in saved_lines.splitlines() if line.startswith("{")]
    saved_ids = [post["id"] for post in saved]
    await last_arrivals(sent, {"a": alice, "b": bob}, liveblog, saved_ids)
    reading.cancel()
    await asyncio.gather(reading, return_exceptions=True)
    for socket in (alice, bob, *echoes):
        await socket.close()

    seen = set(liveblog.posts) | await catch_up(a, liveblog, saved_ids)
    return {
        "down_after_ms": sentinels.down_after_ms,
        "new_primary": "the replica" if sentinels.primary_port() == sentinels.replica.port else "another server",
        "promoted_after_s": round(promoted - killed, 2),
        "chatting_again_after_promotion_s": round(chatting_again - promoted, 2),
        "chatting_again_after_kill_s": round(chatting_again - killed, 2),
        "chat_close_codes": [alice.close_code, bob.close_code],
        "chat": chat_losses(sent, (alice, bob), killed, chatting_again),
        "echo": echoed,
        "saver_exit_status": saver.returncode,
        "posts_saved": len(saved_ids),
        "slowest_save_s": max((post["seconds"] for post in saved), default=None),
        "broadcasts_failed": saver_errors.count("send_saved_post in on_commit()"),
        "liveblog_close_codes": liveblog.close_codes,
        # The consumer logs each post it had to read from the database (db_demo/liveblog.py's posts_to_send).
        "posts_the_layer_lost": sum(int(n) for n in re.findall(r"liveblog: (\d+) post\(s\) before id", a.log())),
        "posts_missed_live": len(set(saved_ids) - set(liveblog.posts)),
        "posts_missed_after_since": len(set(saved_ids) - seen),
        "posts_twice": len(liveblog.posts) - len(set(liveblog.posts)),
    }


async def last_arrivals(sent, chat: dict[str, Socket], liveblog: LiveblogClient, saved_ids: list[int]) -> None:
    """Until each open chat socket has heard each open sender's last message, and the liveblog the newest post.

    However long that takes on this machine (live, or after a reconnect with since=), up to CONDITION.
    """
    last = last_messages(sent, chat)
    await polled(lambda: all(has_heard(s, last) for s in chat.values() if s.close_code is None))
    await polled(lambda: not saved_ids or max(saved_ids) in liveblog.posts)


async def catch_up(server, liveblog: LiveblogClient, saved_ids: list[int]) -> set[int]:
    """Lesson 12's client, once more after the dust settled: the posts a reconnect with since= brings."""
    final = LiveblogClient(server, liveblog.last_id())
    final_task = asyncio.create_task(final.run())
    await polled(lambda: set(saved_ids) <= set(liveblog.posts) | set(final.posts))
    final_task.cancel()
    await asyncio.gather(final_task, return_exceptions=True)
    return set(final.posts)


def last_messages(sent: list[tuple[float, str]], senders: dict[str, Socket]) -> set[str]:
    """The last message each sender sent, of the senders whose socket is still open: every open socket hears them."""
    last = {text.split(":")[0]: text for _, text in sent}
    return {text for name, text in last.items() if senders[name].close_code is None}


def has_heard(socket: Socket, texts: set[str]) -> bool:
    return texts <= {f["message"] for _, f in socket.frames if isinstance(f, dict) and "message" in f}


def in_flight_at_the_kill(when: float, text: str, killed: float, newest_before_kill: dict[str, int]) -> bool:
    """Sent before the kill, and no later message of its sender ("a:<k>") had reached the socket by then."""
    name, k = text.split(":")
    return when < killed and int(k) > newest_before_kill[name]


def chat_losses(sent: list[tuple[float, str]], sockets, killed: float, recovered: float) -> dict:
    """Deliveries to `sockets` of the messages sent while each was open: the lost ones counted, and when sent.

    The failover lasts from the kill until a new room chats across both Daphnes
    and every chat socket it broke has been told so with its 4503: until that
    close arrives, a dying socket's messages, to it and from it, may be gone.
    A message sent before the kill was in flight when the primary died if this
    socket had not yet heard it, nor any later message of its sender: each
    sender's order is kept, so one that was skipped before the kill is lost
    outside the failover. (Not "sent in the last half second": how long a
    message is in flight depends on how busy the machine is.)
    """
    expected = lost = outside = 0
    in_order, examples = True, []
    recovered = max([recovered, *(s.closed_at for s in sockets if s.close_code is not None)])
    for socket in sockets:
        frames = [(when, f["message"]) for when, f in socket.frames if isinstance(f, dict) and "message" in f]
        heard = [text for _, text in frames]
        before_kill = [text.split(":") for when, text in frames if when < killed]
        newest_before_kill = {name: max((int(k) for n, k in before_kill if n == name), default=-1) for name in "ab"}
        wanted = [text for when, text in sent if when < socket.closed_at]
        missing = set(wanted) - set(heard)
        expected += len(wanted)
        lost += len(missing)
        lost_outside = [
            (when, text)
            for when, text in sent
            if text in missing
            and not (killed <= when <= recovered or in_flight_at_the_kill(when, text, killed, newest_before_kill))
        ]
        outside += len(lost_outside)
        examples += [f"{text} to {sockets.index(socket)}, sent {when - killed:+.2f} s" for when, text in lost_outside]
        for name in "ab":
            ks = [int(m.split(":")[1]) for m in heard if m.startswith(f"{name}:")]
            in_order &= ks == sorted(ks)
    return {
        "deliveries_expected": expected,
        "lost": lost,
        "lost_outside_the_failover": outside,
        "in_order": in_order,
        # The first lost outside the failover: which, to which socket (0 alice, 1 bob), sent when after the kill.
        "outside_examples": examples[:10],
        "failover_ended_s": round(recovered - killed, 2),
        # {"error": ...} frames: a message the server refused (over the flood limit, say) was never sent on.
        "refused": sum(1 for s in sockets for _, f in s.frames if isinstance(f, dict) and "error" in f),
    }


def save_posts(count: int) -> None:
    """`python -m bench.failover.run --save-posts N`: save N Posts, one every POST_INTERVAL s; print each as JSON."""
    import django

    django.setup()
    from db_demo.models import Post

    for n in range(count):
        started = time.monotonic()
        post = Post.objects.create(title=f"failover {n}", body="saved while Sentinel fails over")
        print(json.dumps({"id": post.pk, "seconds": round(time.monotonic() - started, 3)}), flush=True)
        time.sleep(max(0.0, POST_INTERVAL - (time.monotonic() - started)))


def render_reference(runs: list[dict]) -> str:
    """bench/failover/reference.md from the runs in bench/failover/reference.json."""
    lines = [
        "# Failover reference (written by `python -m bench.failover.run`; lesson 15 quotes it)",
        "",
        f"{len(runs)} runs, each on fresh servers. Three sentinels, down-after-milliseconds "
        f"{runs[0]['down_after_ms']}; the primary SIGKILLed one second into "
        "a chat between two Daphnes (each side sends a message every 100 ms), an echo socket on each Daphne, a Post "
        f"saved every {POST_INTERVAL} s by a third process, lesson 12's liveblog client on Daphne a.",
        "",
        "| layer | replica promoted | a new room chats across both Daphnes | the two open chat sockets "
        "| chat deliveries lost | echo: longest wait | Posts saved, slowest save | broadcasts failed "
        "| posts the layer lost, read from the database | posts missed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        chat = run["chat"]
        sockets = " and ".join("stayed open" if code is None else f"closed {code}" for code in run["chat_close_codes"])
        lines.append(
            f"| {run['layer']}, run {run.get('run', 1)} | {run['promoted_after_s']} s after the kill "
            f"| {run['chatting_again_after_promotion_s']} s after the promotion | {sockets} "
            f"| {chat['lost']} of {chat['deliveries_expected']} | {max(e['longest_wait_s'] for e in run['echo'])} s "
            f"| {run['posts_saved']}, {run['slowest_save_s']} s | {run['broadcasts_failed']} "
            f"| {run['posts_the_layer_lost']} | {run['posts_missed_after_since']} |"
        )
    lines += ["", "How the two open chat sockets ended, per layer:", ""]
    for layer in dict.fromkeys(run["layer"] for run in runs):
        ends = Counter(socket_ends(run) for run in runs if run["layer"] == layer)
        told = "; ".join(f"{end} in {count}" for end, count in ends.most_common())
        lines.append(f"- {layer}, {ends.total()} runs: {told}")
    return "\n".join(lines) + "\n"


def socket_ends(run: dict) -> str:
    """How the run's two open chat sockets ended, in words: "stayed open and closed 4503"."""
    return " and ".join(sorted("stayed open" if code is None else f"closed {code}" for code in run["chat_close_codes"]))


def write_runs(runs: list[dict], json_path: Path, md_path: Path) -> None:
    json_path.write_text(json.dumps(runs, indent=2) + "\n")
    md_path.write_text(render_reference(runs))


def output_paths(reference: bool, out: Path | None) -> tuple[Path, Path]:
    """Where a run writes: the committed reference only when asked to, else OUT or a new file in the temp dir."""
    if reference:
        return REFERENCE_JSON, REFERENCE_MD
    out = out or Path(tempfile.gettempdir()) / f"failover-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    return out.with_name(out.name + ".json"), out.with_name(out.name + ".md")


def newest_post_id(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT coalesce(max(id), 0) FROM db_demo_post").fetchone()[0]


async def reference(layers=("core", "pubsub"), runs_per_layer: int = RUNS) -> list[dict]:
    """`runs_per_layer` runs on each layer, each on fresh servers, on one throwaway SQLite database."""
    workdir = Path(tempfile.mkdtemp(prefix="failover-"))
    base = daphne_env({"ENGINE": "django.db.backends.sqlite3", "NAME": str(workdir / "db.sqlite3")})
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO_DIR, env=base, check=True)
    runs = []
    for kind in layers:
        for run in range(1, runs_per_layer + 1):  # a failover is a race: each run ends a little differently
            (workdir / f"{kind}-{run}").mkdir()
            sentinels = RedisSentinels(shutil.which("redis-server"), workdir / f"{kind}-{run}")
            try:
                since = newest_post_id(workdir / "db.sqlite3")  # the runs before saved posts too
                runs.append(await failover(sentinels, base, kind, since) | {"run": run})
            finally:
                sentinels.stop()
            print(json.dumps(runs[-1]))
    return runs


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save-posts", type=int, help="(the saver process) save this many Posts and exit")
    parser.add_argument("--layer", choices=("core", "pubsub"), action="append", help="only this layer (repeatable)")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs per layer (default {RUNS})")
    parser.add_argument("--out", type=Path, help="write the runs to OUT.json and OUT.md (default: a new file in /tmp)")
    parser.add_argument("--reference", action="store_true", help="rewrite bench/failover/reference.json and .md")
    options = parser.parse_args()
    if options.save_posts:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
        save_posts(options.save_posts)
    else:
        json_path, md_path = output_paths(options.reference, options.out)
        started = time.monotonic()
        write_runs(asyncio.run(reference(tuple(options.layer or ("core", "pubsub")), options.runs)), json_path, md_path)
        print(f"{md_path} and {json_path.name} written in {time.monotonic() - started:.0f} s")
