"""A client process for `make bench-scale`: it holds thousands of WebSockets, so the measuring process holds none.

Lesson 14's sections start a few of these (`Swarm`), each its own process, as
a site's visitors are: the harness writes one JSON command a line to its stdin
and reads one JSON answer a line from its stdout. Times are `time.monotonic()`,
one clock for every process on the machine, so the harness compares them.

    {"op": "open", "urls": [...], "count": N, "parallel": P, "deflate": true, "read": false, "timeout": S}
    {"op": "echo", "url": U, "count": N, "deflate": true}   a fresh socket: N round trips, each one's seconds
    {"op": "send", "index": I, "text": T}                    socket I says {"message": T} in its chat room
    {"op": "say", "rooms": [R, ...], "text": T}             in each room, the first socket whose URL ends in R says T
    {"op": "wait", "text": T, "timeout": S, "expect": E}     until every reading socket (or E of them) has heard T
    {"op": "rooms"}                                          open sockets by URL path ("chat/<room>/": N)
    {"op": "arrivals", "text": T}                            when each socket heard T (and forget it)
    {"op": "reconnect", "policy": "retry at once" | "backoff with jitter" | "backoff, no jitter", "give_up_s": S,
     "moves": {"ws://host:port": ["ws://host:port2", ...]}}  a cut socket of a moved server comes back on the others
    {"op": "status"}                                         how the reconnecting sockets are doing, and why tries failed
    {"op": "drop"}                                           abort every socket (no closing handshake), hold none
    {"op": "exit"}                                           the kernel closes every socket as the process ends

deflate: offer permessage-deflate exactly as a browser does (`permessage-deflate;
client_max_window_bits`), so the server chooses its own window, as it would for Chrome.
Every wait has a timeout; every reconnect loop stops at its deadline.
"""

import asyncio
import contextlib
import json
import os
import random
import resource
import select
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

from harness.patience import COMMAND

REPO_DIR = Path(__file__).resolve().parents[2]


def origin_of(ws_url: str) -> str:
    """bench/common/processes.py's: the Origin of a page of that very site, which the origin check lets in."""
    parts = urlsplit(ws_url)
    return f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"


def offer(deflate: bool) -> dict:
    if not deflate:
        return {"compression": None}
    # What Chrome and Firefox send; websockets' own default asks for smaller windows (12 bits), browsers do not.
    return {"compression": None, "extensions": [ClientPerMessageDeflateFactory(client_max_window_bits=True)]}


def delay(policy: str, attempt: int) -> float:
    """Seconds before reconnect attempt `attempt` (0 = the first after the close)."""
    if policy == "retry at once":
        return 0.0
    # course/static/course/client.js: Math.min(30000, 500 * 2 ** retries) ms; "with jitter" draws from 0 to that.
    ceiling = min(30.0, 0.5 * 2 ** min(attempt, 10))  # 2 ** 10 is past the cap: no float overflow later
    return random.uniform(0, ceiling) if policy == "backoff with jitter" else ceiling


class Holder:
    def __init__(self):
        self.sockets: list[ClientConnection] = []
        self.urls: list[str] = []
        self.readers = 0
        self.heard: Counter[str] = Counter()
        self.last_heard: dict[str, float] = {}
        self.arrivals: dict[str, list[float]] = {}
        self.deflate = True
        self.timeout = 10.0
        self.storm = {"closed": 0, "back": 0, "lost": 0, "retries": 0, "first_closed_at": None, "last_back_at": None}
        self.storm |= {"failures": {}, "failures_at": {}}

    async def _connect(self, url: str) -> ClientConnection:
        options = offer(self.deflate)
        return await connect(
            url, origin=origin_of(url), ping_interval=None, open_timeout=self.timeout, max_queue=None, **options
        )

    async def open(
        self,
        urls: list[str],
        count: int,
        parallel: int,
        deflate: bool,
        read: bool,
        timeout: float,
        offset: int | None = None,
    ) -> dict:
        """Open `count` sockets, the n-th on urls[(len(self.sockets) + n) % len(urls)] (or offset + n when given)."""
        self.deflate, self.timeout = deflate, timeout
        gate = asyncio.Semaphore(parallel)
        errors: Counter[str] = Counter()
        extensions: Counter[str] = Counter()
        failed: list[str] = []

        async def one(n: int) -> None:
            url = urls[n % len(urls)]
            async with gate:
                try:
                    ws = await self._connect(url)
                except Exception as error:  # counted and named: how a server refuses is a finding
                    errors[f"{type(error).__name__}: {str(error)[:80]}"] += 1
                    failed.append(url)
                    return
            self.sockets.append(ws)
            self.urls.append(url)
            extensions[ws.response.headers.get("Sec-WebSocket-Extensions", "none")] += 1
            if read:
                self.readers += 1
                asyncio.create_task(self.read(ws))

        started = time.monotonic()
        first = len(self.sockets) if offset is None else offset
        await asyncio.gather(*(one(first + n) for n in range(count)))
        seconds = time.monotonic() - started
        opened = count - sum(errors.values())
        return {
            "opened": opened,
            "held": len(self.sockets),
            "seconds": seconds,
            "errors": errors,
            "extensions": extensions,
            "failed_urls": failed if offset is not None else [],
        }

    async def read(self, ws: ClientConnection) -> None:
        """Note when each chat message arrives; other frames (errors, notices) are only read."""
        try:
            async for frame in ws:
                text = json.loads(frame).get("message")
                if text is not None:
                    self.heard[text] += 1
                    self.last_heard[text] = now = time.monotonic()
                    self.arrivals.setdefault(text, []).append(now)
        except Exception:
            pass  # closed: the count of who heard what shows it

    async def echo(self, url: str, count: int, deflate: bool) -> dict:
        self.deflate = deflate
        ws = await self._connect(url)
        try:
            latencies = []
            for n in range(count):
                frame = json.dumps({"seq": n, "text": "how far does one process go?"})
                started = time.perf_counter()
                await ws.send(frame)
                answer = await asyncio.wait_for(ws.recv(), 10)
                latencies.append(time.perf_counter() - started)
                if answer != frame:
                    raise RuntimeError(f"expected the echo of {frame!r}, got {answer!r}")
            return {"latencies": latencies, "extension": ws.response.headers.get("Sec-WebSocket-Extensions", "none")}
        finally:
            await ws.close()

    async def wait(self, text: str, timeout: float, expect: int | None = None) -> dict:
        deadline, expect = time.monotonic() + timeout, self.readers if expect is None else expect
        while self.heard[text] < expect and time.monotonic() < deadline:
            await asyncio.sleep(0.005)  # the arrival time is noted by the reader, so the poll's step does not count
        return {"got": self.heard[text], "of": self.readers, "last_at": self.last_heard.get(text)}

    async def say(self, rooms: list[str], text: str) -> dict:
        """In each of `rooms`, the first socket whose URL ends so says `text`."""
        speakers = [self.sockets[n] for n in map(self.speaker, rooms) if n is not None]  # an empty room: none
        sent_at = time.monotonic()
        for ws in speakers:
            await ws.send(json.dumps({"message": text}))
        return {"sent_at": sent_at}

    def speaker(self, room: str) -> int | None:
        """The index of the first open socket whose URL ends in `room`; None if it has none."""
        open_here = (n for n, url in enumerate(self.urls) if url.endswith(room) and self.sockets[n].close_code is None)
        return next(open_here, None)

    def rooms(self) -> dict[str, int]:
        """Open sockets by URL path: how many each room has here."""
        pairs = zip(self.sockets, self.urls, strict=True)
        return Counter(url.split("/ws/", 1)[1] for ws, url in pairs if ws.close_code is None)

    def reconnect(self, policy: str, give_up_s: float, moves: dict[str, list[str]] | None = None) -> None:
        """Each socket, once cut, comes back (a socket of a server in `moves` on one of the others, in turn)."""
        moves, turns = moves or {}, Counter()
        for ws, url in zip(self.sockets, self.urls, strict=True):
            base = url.split("/ws/", 1)[0]
            if base in moves:
                url = moves[base][turns[base] % len(moves[base])] + url[len(base) :]
                turns[base] += 1
            asyncio.create_task(self.keep(ws, url, policy, give_up_s))

    async def keep(self, ws: ClientConnection, url: str, policy: str, give_up_s: float) -> None:
        """Wait for this socket to be cut, then reconnect as the policy says until `give_up_s` after the cut.

        A deadline, not a number of tries: a client that backs off spends
        minutes on ten tries and one that retries at once spends milliseconds,
        so "gave up after N tries" would compare the policies' patience, not
        the server's. Each failed try is counted by what the client saw.
        """
        await ws.wait_closed()
        now = time.monotonic()
        self.storm["closed"] += 1
        self.storm["first_closed_at"] = min(self.storm["first_closed_at"] or now, now)
        deadline = now + give_up_s
        for attempt in range(100_000):  # bounded by the deadline; the count only guards against a runaway loop
            wait = delay(policy, attempt)
            if time.monotonic() + wait > deadline:
                break
            await asyncio.sleep(wait)
            try:
                fresh = await self._connect(url)
            except Exception as error:
                self.storm["retries"] += 1
                self.failed(why_it_failed(error))
                continue
            back = time.monotonic()
            self.storm["back"] += 1
            self.storm["last_back_at"] = max(self.storm["last_back_at"] or back, back)
            self.sockets.append(fresh)
            return
        self.storm["lost"] += 1

    def failed(self, why: str) -> None:
        """Count one failed try, and note when this process first and last saw that kind of failure."""
        now = time.monotonic()
        self.storm["failures"][why] = self.storm["failures"].get(why, 0) + 1
        first, _ = self.storm["failures_at"].get(why, (now, now))
        self.storm["failures_at"][why] = (first, now)


def why_it_failed(error: Exception) -> str:
    """A failed handshake as the client saw it: nginx's 502, a timeout, a refusal, a reset, or the error's type."""
    if isinstance(error, InvalidStatus):
        return f"HTTP {error.response.status_code}"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, ConnectionResetError):
        return "reset"
    return type(error).__name__


async def serve() -> None:
    holder = Holder()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**26)  # a command may list 20,000 URLs
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        op = command.pop("op")
        try:
            if op == "exit":
                answer: dict = {"ok": True}
            elif op == "open":
                answer = await holder.open(**command)
            elif op == "echo":
                answer = await holder.echo(**command)
            elif op == "send":
                sent_at = time.monotonic()
                await holder.sockets[command["index"]].send(json.dumps({"message": command["text"]}))
                answer = {"sent_at": sent_at}
            elif op == "wait":
                answer = await holder.wait(**command)
            elif op == "say":
                answer = await holder.say(**command)
            elif op == "rooms":
                answer = {"open": holder.rooms()}
            elif op == "arrivals":
                answer = {"at": holder.arrivals.pop(command["text"], [])}
            elif op == "drop":
                for ws in holder.sockets:
                    ws.transport.abort()
                holder.sockets, holder.urls, holder.readers = [], [], 0
                answer = {"ok": True}
            elif op == "reconnect":
                holder.reconnect(**command)
                answer = {"ok": True}
            else:  # status
                answer = {**holder.storm, "open": sum(1 for ws in holder.sockets if ws.close_code is None)}
        except Exception as error:
            answer = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        if op == "exit":
            os._exit(0)  # no closing handshakes: the kernel closes the sockets, as when a laptop lid shuts


class Swarm:
    """One client process, driven from the harness; `ask` sends a command and waits (bounded) for its answer."""

    def __init__(self):
        env = {**os.environ, "PYTHONPATH": str(REPO_DIR)}
        argv = [sys.executable, "-m", "bench.scale.swarm"]
        self.process = subprocess.Popen(argv, cwd=REPO_DIR, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    @property
    def pid(self) -> int:
        return self.process.pid

    def tell(self, op: str, **fields) -> None:
        self.process.stdin.write((json.dumps({"op": op, **fields}) + "\n").encode())
        self.process.stdin.flush()

    def answer(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError(f"client process {self.pid} did not answer within {timeout} s")
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"client process {self.pid} ended (exit status {self.process.poll()})")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"client process {self.pid}: {answer['error']}")
        return answer

    def ask(self, op: str, timeout: float = COMMAND, **fields) -> dict:
        self.tell(op, **fields)
        return self.answer(timeout)

    def stop(self) -> None:
        """Ask it to exit; SIGKILL by PID if it does not within 5 s."""
        if self.process.poll() is None:
            try:
                self.tell("exit")
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass  # the process died with data unread: nothing to flush


def ask_all(swarms: list[Swarm], op: str, timeout: float = COMMAND, each: list[dict] | None = None) -> list[dict]:
    """The same command (or one per swarm, `each`) to every client process at once; their answers in order."""
    for n, swarm in enumerate(swarms):
        swarm.tell(op, **(each[n] if each else {}))
    deadline = time.monotonic() + timeout
    return [swarm.answer(max(0.1, deadline - time.monotonic())) for swarm in swarms]


def start_swarms(count: int) -> list[Swarm]:
    return [Swarm() for _ in range(count)]


def stop_swarms(swarms: list[Swarm]) -> None:
    for swarm in swarms:
        swarm.stop()


def split(count: int, parts: int) -> list[int]:
    """`count` as `parts` shares that differ by at most one."""
    return [count // parts + (1 if n < count % parts else 0) for n in range(parts)]


@contextlib.contextmanager
def open_files_limit(soft: int) -> Iterator[None]:
    """Set this process's open-files soft limit while a server is started (it inherits it), then restore it.

    A student does the same with `ulimit -n 20000` in the shell that starts the
    server, or `LimitNOFILE=20000` in its systemd unit (deploy/).
    """
    before, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (before, hard))


def raise_open_files() -> None:
    """Thousands of sockets need more than the usual soft limit of 1024 open files: take the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


if __name__ == "__main__":
    raise_open_files()
    asyncio.run(serve())
