"""What each thing one hostile client can do costs a Daphne, without its defence and with it (lesson 16).

Four attacks, each on real Daphne processes started for this run, each
measured twice in the same run: once against a Daphne with the defence off,
once with it on.

    sync-thread hog   5 sockets of ws/sync/slow/, each with 2 frames "3" queued;
                      an echo on ws/async/echo/ and a new handshake are timed.
                      Defence: SERVE_HAZARD_DEMOS off (DEBUG=0), the route refused.
    password guesser  10 sockets trying wrong passwords on ws/auth/login/.
                      Defence: the login throttle (auth_demo/throttle.py).
    flooder           10 sockets from 127.0.0.2, 150 chat frames each, on ws/chat/<room>/;
                      a listener from 127.0.0.1 counts what reaches the room.
                      Defence: the budgets sockets share (layers_demo/flood_budgets.py).
    slow reader       2 or 3 sockets of ws/async/echo/, one after another, each sending
                      4,000-character frames (paced) and never reading the echoes;
                      Daphne's memory is measured while they are all still open.
                      Defence: WEBSOCKET_UNREAD_LIMIT (lessons/slow_readers.py), 4429.

    .venv/bin/python bench/hostile/run.py [--small]
    .venv/bin/python bench/hostile/run.py --reference   # rewrite bench/hostile/reference.md
"""

import asyncio
import base64
import contextlib
import json
import os
import secrets
import socket as tcp
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_DIR))  # run as a script: make `bench` and `course` importable

from bench.common.options import small_or_reference, switches  # noqa: E402
from harness.patience import FRAME, patient  # noqa: E402
from harness.servers import DaphneServer, daphne_env  # noqa: E402

HUGE = 10**9
# The shipped settings, 127.0.0.2 counted (as by default now; written out, as the reference run had
# it): the flooder gets a client address of its own.
SHIPPED_SETTINGS = """from lessons.settings import *  # noqa: F403

CHAT_FLOOD_UNCOUNTED_NETWORKS = ("127.0.0.1/32", "::1/128")
"""
# The same with the login throttle and the shared chat budgets too large to
# reach: "without the defence", with nothing else changed.
UNLIMITED_SETTINGS = f"""from hostile_shipped import *  # noqa: F403

LOGIN_FAILURES_PER_USERNAME = {HUGE}
LOGIN_FAILURES_PER_ADDRESS = {HUGE}
CHAT_FLOOD_LIMIT_PER_USER = {HUGE}
CHAT_FLOOD_LIMIT_PER_ADDRESS = {HUGE}
WEBSOCKET_UNREAD_LIMIT = {HUGE}
WEBSOCKET_UNREAD_BYTES = {HUGE * HUGE}
"""
TOO_MANY = "too many failed logins"
BAD_CREDENTIALS = "invalid username or password"


async def connect(server: DaphneServer, path: str, **options):
    """A real WebSocket client on `path`, with a browser's Origin."""
    from websockets.asyncio.client import connect

    return await connect(server.ws_url(path), origin=server.http_url, max_queue=None, **options)


async def timed_handshake(server: DaphneServer, timeout: float) -> str:
    """How a new ws/async/echo/ handshake went, and in how many ms (the auth middleware needs the sync thread)."""
    started = time.perf_counter()
    try:
        socket = await asyncio.wait_for(connect(server, "ws/async/echo/"), timeout)
    except TimeoutError:
        return f"no answer in {timeout * 1000:.0f}"
    except Exception:  # Daphne gives up on a handshake its application has not accepted in 5 s
        return f"dropped after {(time.perf_counter() - started) * 1000:.0f}"
    elapsed = time.perf_counter() - started
    await socket.close()
    return f"{elapsed * 1000:.1f}"


async def pinged(echo, seconds: float, every: float = 0.1) -> list[tuple[float, bool]]:
    """Send an echo frame every `every` s for `seconds`, then wait 1 s more: each one's wait, and if it came back."""
    sent: dict[str, float] = {}
    waits: dict[str, float] = {}

    async def receive() -> None:
        while True:
            text = await echo.recv()
            waits[text] = time.perf_counter() - sent[text]

    receiving = asyncio.create_task(receive())
    for number in range(round(seconds / every)):
        sent[str(number)] = time.perf_counter()
        await echo.send(str(number))
        await asyncio.sleep(every)
    await asyncio.sleep(1)
    receiving.cancel()
    end = time.perf_counter()
    return [(waits[key], True) if key in waits else (end - started, False) for key, started in sent.items()]


async def hog(server: DaphneServer, seconds: float) -> dict:
    """Echo round trips and one new handshake while 5 sockets keep the sync thread asleep."""
    from websockets.exceptions import InvalidStatus

    echo = await connect(server, "ws/async/echo/")
    await echo.send("warm")  # the first frame is not the attack's
    await asyncio.wait_for(echo.recv(), 5)  # warm: the first frame is not the attack's
    sleepers, refused = [], 0
    for _ in range(5):
        try:
            sleeper = await connect(server, "ws/sync/slow/")
        except InvalidStatus:
            refused += 1
            continue
        sleepers.append(sleeper)
    # Every socket open before any sleep starts: a handshake waits for the sync thread too.
    for sleeper in sleepers:
        for _ in range(2):
            await sleeper.send("3")
    await asyncio.sleep(0.2)  # let the first sleep start
    handshake = asyncio.create_task(timed_handshake(server, seconds + 1))
    waits = await pinged(echo, seconds)
    for socket in [echo, *sleepers]:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(socket.close(), 1)
    return {
        "slow_sockets_refused": refused,
        "echo_sent": len(waits),
        "echo_answered": sum(answered for _, answered in waits),
        # An unanswered frame counts with the time it had waited: the median and worst are then at least that.
        "echo_p50_ms": round(statistics.median(wait for wait, _ in waits) * 1000, 1),
        "echo_worst_ms": round(max(wait for wait, _ in waits) * 1000, 1),
        "handshake_ms": await handshake,
    }


async def guesser(server: DaphneServer, seconds: float, sockets: int = 10) -> dict:
    """Wrong passwords for one account from `sockets` sockets for `seconds`: how many were checked."""
    answers = {"attempts": 0, "checked": 0, "refused": 0}
    deadline = time.perf_counter() + seconds

    async def guess(number: int) -> None:
        socket = await connect(server, "ws/auth/login/")
        tries = 0
        while time.perf_counter() < deadline:
            tries += 1
            password = f"guess-{number}-{tries}"
            await socket.send(json.dumps({"action": "login", "username": "ada", "password": password}))
            # Ten sockets' guesses queue for one sync thread's password hashing: a busy machine answers late.
            error = json.loads(await asyncio.wait_for(socket.recv(), patient(60))).get("error", "")
            answers["attempts"] += 1
            answers["checked"] += error == BAD_CREDENTIALS
            answers["refused"] += error.startswith(TOO_MANY)
        await socket.close()

    await asyncio.gather(*(guess(number) for number in range(sockets)))
    return answers


async def drain(socket, quiet: float, counts: dict, key: str) -> None:
    """Read frames until none arrives for `quiet` seconds; count chat messages or errors under `key`."""
    from websockets.exceptions import ConnectionClosed

    with contextlib.suppress(TimeoutError, ConnectionClosed):
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), quiet))
            counts[key] += ("error" if key == "errors" else "message") in frame


async def flooder(server: DaphneServer, sockets: int = 10, frames: int = 150, quiet: float = 1) -> dict:
    """`sockets` sockets from 127.0.0.2 send `frames` chat frames each; what the listener hears."""
    path = f"ws/chat/hostile{uuid.uuid4().hex[:8]}/"
    counts = {"delivered": 0, "errors": 0}
    listener = await connect(server, path)
    # 127.0.0.2 is loopback too, but not uncounted like 127.0.0.1: one client address of its own.
    flood = [await connect(server, path, local_addr=("127.0.0.2", 0)) for _ in range(sockets)]
    readers = [asyncio.create_task(drain(socket, quiet, counts, "errors")) for socket in flood]
    listening = asyncio.create_task(drain(listener, quiet, counts, "delivered"))

    async def send_all(socket) -> None:
        for n in range(frames):
            await socket.send(json.dumps({"message": f"flood {n}"}))

    await asyncio.gather(*(send_all(socket) for socket in flood))
    await asyncio.gather(listening, *readers)
    for socket in [listener, *flood]:
        await socket.close()
    return {**counts, "sent": sockets * frames}


def never_reading_socket(server: DaphneServer, path: str) -> tcp.socket:
    """A raw WebSocket on `path` that will never read: only its handshake's answer is read."""
    client = tcp.create_connection(("127.0.0.1", server.port), timeout=FRAME)
    # A small receive window: what the client does not read backs up into Daphne sooner.
    client.setsockopt(tcp.SOL_SOCKET, tcp.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    client.sendall(
        f"GET /{path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {server.http_url}\r\n\r\n".encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += client.recv(1)  # byte by byte: not one byte of the first frame is read
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return client


def text_frame(size: int) -> bytes:
    """A client's text frame of `size` x's, masked with a zero key (any key is valid; this one keeps the bytes)."""
    # The length: 126 and two bytes up to 64 KiB, 127 and eight bytes beyond (RFC 6455, 5.2).
    length = (
        bytes([0x80 | 126]) + size.to_bytes(2, "big") if size < 2**16 else bytes([0x80 | 127]) + size.to_bytes(8, "big")
    )
    return bytes([0x81]) + length + bytes(4) + b"x" * size


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


def settled_rss_mb(pid: int, quiet: float = 1.0, timeout: float = patient(30)) -> float:
    """Daphne's memory once it has stopped growing for `quiet` seconds: it has answered all it read."""
    deadline, last, since = time.monotonic() + timeout, rss_mb(pid), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.1)
        now = rss_mb(pid)
        if abs(now - last) > 0.5:
            last, since = now, time.monotonic()
    return last


PACE = 10
BIG = 256 * 1024  # a large frame, a quarter of Daphne's largest


def slow_reader(server: DaphneServer, sockets: int, frames: int, size: int = 4000) -> dict:
    """`sockets` sockets, one after another, each sending `frames` frames to ws/async/echo/ and reading none.

    All stay open until Daphne's memory is measured: what it holds for them, not what it freed.
    """
    before = settled_rss_mb(server.pid)
    # PACE frames of 4,000 characters every 5 ms, the same bytes a second whatever the size
    # (a 256 KiB frame every 33 ms).
    pace = max(1, PACE * 4000 // size)
    clients, sent, frames_sent, pause = [], 0, text_frame(size) * pace, 0.005 * pace * size / (PACE * 4000)
    for _ in range(sockets):
        clients.append(never_reading_socket(server, "ws/async/echo/"))
        try:
            for _ in range(frames // pace):
                # Paced, so Daphne echoes each frame soon after reading it: what piles up is the
                # echoes nobody reads, not frames waiting for the consumer (Daphne queues those too).
                clients[-1].sendall(frames_sent)
                sent += pace
                time.sleep(pause)
        except OSError:  # Daphne dropped the connection: the defence
            pass
    grown = settled_rss_mb(server.pid) - before
    for client in clients:
        client.close()
    closed = server.log().count("closed a socket with more than")
    return {"sockets": sockets, "frames": frames, "sent": sent, "grown_mb": round(grown, 1), "closed_4429": closed}


def start(env: dict[str, str], **changes: str) -> DaphneServer:
    return DaphneServer({**env, **changes})


def run(small: bool = False) -> dict:
    """Every attack on every Daphne it needs, in one run; each Daphne stopped after use."""
    began = time.perf_counter()
    hog_s, guess_s = (1.0, 1.5) if small else (4.0, 10.0)
    readers, reader_frames = (2, 4000) if small else (3, 10000)
    big_frames = 100 if small else 400  # of 256 KiB: 100 MB a socket, unlimited
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        Path(folder, "hostile_shipped.py").write_text(SHIPPED_SETTINGS)
        Path(folder, "hostile_unlimited.py").write_text(UNLIMITED_SETTINGS)
        env = daphne_env(None)
        # A database of the run's own: the guesser's passwords are checked against it.
        env.update(DATABASE_URL=f"sqlite:///{folder}/db.sqlite3", DEBUG="1")
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=REPO_DIR, env=env, check=True,
                       capture_output=True)  # fmt: skip
        unlimited_env = {**env, "DJANGO_SETTINGS_MODULE": "hostile_unlimited", "PYTHONPATH": folder}
        shipped_env = {**env, "DJANGO_SETTINGS_MODULE": "hostile_shipped", "PYTHONPATH": folder}
        results = {"hog_seconds": hog_s, "guess_seconds": guess_s}
        server = start(unlimited_env)
        try:
            results["guess_without"] = asyncio.run(guesser(server, guess_s))
            results["flood_without"] = asyncio.run(flooder(server))
            results["reader_without"] = slow_reader(server, readers, reader_frames)
            results["big_reader_without"] = slow_reader(server, readers, big_frames, BIG)
        finally:
            server.stop()
        server = start(shipped_env)
        try:
            results["guess_with"] = asyncio.run(guesser(server, guess_s))
            results["flood_with"] = asyncio.run(flooder(server))
            results["reader_with"] = slow_reader(server, readers, reader_frames)
            results["big_reader_with"] = slow_reader(server, readers, big_frames, BIG)
            # Last on this Daphne: its sync thread stays asleep after the attack's sockets close.
            results["hog_without"] = asyncio.run(hog(server, hog_s))
        finally:
            server.process.kill()  # its sync thread sleeps on: terminating would wait for it
            server.stop()
        # DEBUG off refuses the development SECRET_KEY (lesson 16): a key of the run's own.
        server = start(env, DEBUG="0", ALLOWED_HOSTS="127.0.0.1", SECRET_KEY=secrets.token_urlsafe(50))
        try:
            results["hog_with"] = asyncio.run(hog(server, hog_s))
        finally:
            server.stop()
    results["run_seconds"] = round(time.perf_counter() - began, 1)
    return results


def markdown(results: dict) -> str:
    from bench.common.report import table

    hog_s, guess_s = results["hog_seconds"], results["guess_seconds"]
    off, on = results["hog_without"], results["hog_with"]
    gw, gn = results["guess_without"], results["guess_with"]
    fw, fn = results["flood_without"], results["flood_with"]
    rw, rn = results["reader_without"], results["reader_with"]
    bw, bn = results["big_reader_without"], results["big_reader_with"]
    hog = "sync-thread hog: 5 sockets × 2 frames `3` on ws/sync/slow/"
    guess = f"password guesser: 10 sockets on ws/auth/login/ for {guess_s:g} s"
    flood = "flooder: 10 sockets from 127.0.0.2 × 150 frames on ws/chat/<room>/"
    reader = f"slow reader: {rw['sockets']} sockets × {rw['frames']:,} frames of 4,000 characters on ws/async/echo/"
    big = f"slow reader: {bw['sockets']} sockets × {bw['frames']:,} frames of 256 KiB on ws/async/echo/"
    rows = [
        [hog, "slow sockets refused (403)", off["slow_sockets_refused"], on["slow_sockets_refused"]],
        [hog, f"echo frames (one per 0.1 s for {hog_s:g} s) answered within 1 s after",
         f"{off['echo_answered']} of {off['echo_sent']}", f"{on['echo_answered']} of {on['echo_sent']}"],
        [hog, "echo round trip median / worst ms (unanswered: waited so far)",
         f"{off['echo_p50_ms']:g} / {off['echo_worst_ms']:g}", f"{on['echo_p50_ms']:g} / {on['echo_worst_ms']:g}"],
        [hog, "new ws/async/echo/ handshake ms",
         off["handshake_ms"], on["handshake_ms"]],
        [guess, "wrong passwords tried", gw["attempts"], gn["attempts"]],
        [guess, "checked (`invalid username or password`)", gw["checked"], gn["checked"]],
        [guess, "refused unchecked (`too many failed logins`)", gw["refused"], gn["refused"]],
        [flood, f"let into the room (of {fw['sent']} sent)", fw["sent"] - fw["errors"], fn["sent"] - fn["errors"]],
        [flood, "error frames the flooder received", fw["errors"], fn["errors"]],
        [flood, "heard by a listener in the room", fw["delivered"], fn["delivered"]],
        [reader, "frames Daphne read before dropping the sockets (never read back)",
         f"{rw['sent']:,}", f"{rn['sent']:,}"],
        [reader, "Daphne's memory grown by (MB), the sockets still open", rw["grown_mb"], rn["grown_mb"]],
        [reader, "sockets closed with 4429 (Daphne's log)", rw["closed_4429"], rn["closed_4429"]],
        [big, "frames Daphne read before dropping the sockets (never read back)", f"{bw['sent']:,}", f"{bn['sent']:,}"],
        [big, "Daphne's memory grown by (MB), the sockets still open", bw["grown_mb"], bn["grown_mb"]],
        [big, "sockets closed with 4429 (Daphne's log)", bw["closed_4429"] - rw["closed_4429"],
         bn["closed_4429"] - rn["closed_4429"]],
    ]  # fmt: skip
    return table(["attack", "measured", "without the defence", "with it"], rows)


def reference_document(results: dict) -> str:
    """bench/hostile/reference.md: the table, and when and where it was measured."""
    from bench.common import machine
    from bench.common.report import machine as describe

    info = machine.describe(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"# One hostile client, without each defence and with it: one run of `make bench-hostile`, {stamp}\n\n"
        "The machine was shared with other work while this ran: the times are one run's, not a best case.\n\n"
        f"{describe(info)}\n\n"
        "Each attack ran against its own Daphne (one process, in-memory layer): without the defence, the\n"
        "development settings with the login throttle, the shared chat budgets and WEBSOCKET_UNREAD_LIMIT set\n"
        "to 10^9 and WEBSOCKET_UNREAD_BYTES to 10^18 (the hog: DEBUG=1, so SERVE_HAZARD_DEMOS on); with it, the shipped settings (the hog:\n"
        "DEBUG=0, SERVE_HAZARD_DEMOS off). The slow reader's sockets paced their frames, so what piled up\n"
        "was the echoes they never read, not frames waiting for the echo consumer.\n\n"
        "127.0.0.2 is counted as a client address of its own (CHAT_FLOOD_UNCOUNTED_NETWORKS leaves out\n"
        "127.0.0.1 and ::1 alone). The listener hears less than was let in: a burst overflows the in-memory\n"
        "layer's 100-message channel capacity, and the excess is dropped.\n\n"
        f"{markdown(results)}\n"
    )


def arguments(argv: list[str]):
    small = "shorter attacks, fewer readers: what its slow test runs"
    return switches(__doc__, argv, small=small, reference="rewrite bench/hostile/reference.md")


if __name__ == "__main__":
    reference = REPO_DIR / "bench/hostile/reference.md"
    small_or_reference(sys.argv[1:], arguments, run, markdown, reference_document, reference)
