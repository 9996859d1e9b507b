"""Lesson 16 on a real Daphne under production settings: a socket that never reads (lessons/slow_readers.py).

The client is a raw socket that reads its handshake's answer and nothing else,
sending 4,000-character frames, or 256 KiB ones, to ws/async/echo/ (bench/hostile/run.py's
never-reading socket). Daphne would keep every echo in memory (django/daphne#170); the protocol
closes the socket with 4429 once WEBSOCKET_UNREAD_LIMIT messages, or WEBSOCKET_UNREAD_BYTES of
them, wait past a full buffer.

What it bounds is the echoes nobody reads, not the frames a client sends faster
than the consumer echoes them: Daphne reads those into the consumer's queue,
which nothing bounds (lesson 16). On an idle machine a paced sender never
outruns the consumer; on a busy one it does, and Daphne grew 112 MB. So the
sender here sends a batch only once Daphne has read and echoed the last one
(its event loop sleeps), the condition the 12 MB bound holds under, whatever
the machine's speed.
"""

import asyncio
import fcntl
import socket
import struct
import termios
import time
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from bench.hostile.run import never_reading_socket, settled_rss_mb, slow_reader, text_frame
from harness.patience import CONDITION, FRAME

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
FRAMES, BATCH = 40000, 50  # 160 MB of echoes: far past the kernel's buffers (about 4 MB), 64 KiB and 1,000 more


def caught_up(pid: int, client) -> bool:
    """True if Daphne has taken every byte the client sent and its event loop sleeps: nothing left to echo."""
    if error := client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
        raise ConnectionResetError(error, "Daphne dropped the connection")
    unsent = struct.unpack("i", fcntl.ioctl(client.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
    return unsent == 0 and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "S"


def wait_until_caught_up(pid: int, client) -> None:
    """Wait (up to CONDITION) until Daphne is seen caught up twice in a row, 5 ms apart."""
    deadline, seen = time.monotonic() + CONDITION, 0
    while seen < 2:
        seen = seen + 1 if caught_up(pid, client) else 0
        assert time.monotonic() < deadline, f"Daphne did not echo what it was sent within {CONDITION:g} s"
        time.sleep(0.005)


def send_until_dropped(server, client, size: int, frames: int) -> int:
    """Frames of `size` in batches of about 200 KB, each once Daphne has echoed the last: how many it took."""
    sent, count = 0, max(1, BATCH * 4000 // size)
    batch = text_frame(size) * count
    try:
        while sent < frames:
            client.sendall(batch)
            sent += count
            wait_until_caught_up(server.pid, client)
    except OSError:  # Daphne dropped the connection: the defence
        pass
    return sent


def never_outrun_readers(server, sockets: int = 1, size: int = 4000, frames: int = FRAMES) -> dict:
    """`sockets` never-reading sockets, one after another, all open until Daphne's memory is measured."""
    before, clients, sent = settled_rss_mb(server.pid), [], 0
    closed_before = server.log().count("closed a socket with more")  # the server may have served a test before
    try:
        for _ in range(sockets):
            clients.append(never_reading_socket(server, "ws/async/echo/"))
            sent += send_until_dropped(server, clients[-1], size, frames)
        grown = settled_rss_mb(server.pid) - before
    finally:
        for client in clients:
            client.close()
    closed = server.log().count("closed a socket with more") - closed_before
    return {"sent": sent, "grown_mb": round(grown, 1), "closed_4429": closed}


def test_a_socket_that_never_reads_is_closed_with_4429_and_daphne_stays_small(production_server):
    attack = never_outrun_readers(production_server)
    assert attack["closed_4429"] == 1, production_server.log()[-2000:]
    assert attack["sent"] < FRAMES, "Daphne took every frame: it never dropped the socket that does not read"
    # 64 KiB and 1,000 echoes of 4,000 bytes wait in Daphne: about 4 MB (4.5 MB measured on an idle
    # machine). Without the limit Daphne keeps all 40,000 echoes: 180 MB.
    assert attack["grown_mb"] < 12, f"Daphne grew by {attack['grown_mb']} MB for one socket"


def test_three_sockets_leaving_256_kib_echoes_unread_are_closed_daphne_stays_small(production_server):
    attack = never_outrun_readers(production_server, sockets=3, size=256 * 1024, frames=2000)
    assert attack["closed_4429"] == 3, production_server.log()[-2000:]
    # Each holds 64 KiB, WEBSOCKET_UNREAD_BYTES (4 MiB) and one frame: about 13 MB. Counting
    # messages alone, each held 1,000 frames, 256 MB: three grew Daphne by 297 MB.
    assert attack["grown_mb"] < 30, f"Daphne grew by {attack['grown_mb']} MB for three sockets"


def test_after_a_slow_reader_is_dropped_another_socket_still_echoes(production_server):
    never_outrun_readers(production_server)

    async def echo() -> str:
        async with connect(production_server.ws_url("ws/async/echo/"), origin=production_server.http_url) as socket:
            await socket.send("still here")
            return await asyncio.wait_for(socket.recv(), FRAME)

    assert asyncio.run(echo()) == "still here"


def test_a_client_that_reads_as_it_goes_gets_three_times_the_limit(production_server):
    async def every_echo(batches: int, size: int = 200) -> int:
        echoed = 0
        async with connect(production_server.ws_url("ws/async/echo/"), origin=production_server.http_url) as socket:
            for _ in range(batches):  # 200 frames sent, then their 200 echoes read
                for _ in range(size):
                    await socket.send("x" * 4000)
                echoed += sum([len(await asyncio.wait_for(socket.recv(), FRAME)) == 4000 for _ in range(size)])
        return echoed

    assert asyncio.run(every_echo(15)) == 3000


@pytest.mark.parametrize("asgi_server", ["uvicorn"], indirect=True)
def test_under_uvicorn_a_socket_that_never_reads_is_held_back_not_buffered(asgi_server):
    attack = slow_reader(asgi_server, 1, FRAMES)
    # uvicorn's send waits for the client, so the echo consumer waits, and uvicorn stops
    # reading the client's frames: its sends block (10 s) long before all 40,000 are taken.
    assert attack["sent"] < FRAMES and attack["closed_4429"] == 0
    assert attack["grown_mb"] < 4, f"uvicorn grew by {attack['grown_mb']} MB for one socket"
