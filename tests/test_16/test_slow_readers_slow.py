"""Lesson 16 on a real Daphne under production settings: a socket that never reads (lessons/slow_readers.py).

The client is a raw socket that reads its handshake's answer and nothing else,
sending 4,000-character frames to ws/async/echo/ (bench/hostile/run.py's slow reader).
Daphne would keep every echo in memory (django/daphne#170); the protocol closes
the socket with 4429 once WEBSOCKET_UNREAD_LIMIT messages wait past a full buffer.
"""

import asyncio

import pytest
from websockets.asyncio.client import connect

from bench.hostile.run import ORIGIN, slow_reader

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
FRAMES = 40000  # 160 MB of echoes: far past the kernel's buffers (about 4 MB), 64 KiB and 1,000 more


def test_a_socket_that_never_reads_is_closed_with_4429_and_daphne_stays_small(production_server):
    attack = slow_reader(production_server, 1, FRAMES)
    assert attack["closed_4429"] == 1, production_server.log()[-2000:]
    assert attack["sent"] < FRAMES, "Daphne took every frame: it never dropped the socket that does not read"
    # 64 KiB and 1,000 echoes of 4,000 bytes wait in Daphne: about 4 MB (4.5 MB measured on an idle
    # machine). On a busy one Daphne reads frames faster than its consumer echoes them (that queue
    # is not bounded, lesson 16 says), so the drop comes later: up to 28 MB, measured with three busy
    # loops beside it. Without the limit Daphne keeps all 40,000 echoes: 180 MB.
    assert attack["grown_mb"] < 48, f"Daphne grew by {attack['grown_mb']} MB for one socket"


def test_after_a_slow_reader_is_dropped_another_socket_still_echoes(production_server):
    slow_reader(production_server, 1, FRAMES)

    async def echo() -> str:
        async with connect(production_server.ws_url("ws/async/echo/"), origin=ORIGIN) as socket:
            await socket.send("still here")
            return await asyncio.wait_for(socket.recv(), 5)

    assert asyncio.run(echo()) == "still here"


def test_a_client_that_reads_as_it_goes_gets_three_times_the_limit(production_server):
    async def every_echo(batches: int, size: int = 200) -> int:
        echoed = 0
        async with connect(production_server.ws_url("ws/async/echo/"), origin=ORIGIN) as socket:
            for _ in range(batches):  # 200 frames sent, then their 200 echoes read
                for _ in range(size):
                    await socket.send("x" * 4000)
                echoed += sum([len(await asyncio.wait_for(socket.recv(), 10)) == 4000 for _ in range(size)])
        return echoed

    assert asyncio.run(every_echo(15)) == 3000


@pytest.mark.parametrize("asgi_server", ["uvicorn"], indirect=True)
def test_under_uvicorn_a_socket_that_never_reads_is_held_back_not_buffered(asgi_server):
    attack = slow_reader(asgi_server, 1, FRAMES)
    # uvicorn's send waits for the client, so the echo consumer waits, and uvicorn stops
    # reading the client's frames: its sends block (10 s) long before all 40,000 are taken.
    assert attack["sent"] < FRAMES and attack["closed_4429"] == 0
    assert attack["grown_mb"] < 4, f"uvicorn grew by {attack['grown_mb']} MB for one socket"
