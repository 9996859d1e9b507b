"""Lesson 17's doors on a real `make workshop`: Daphne alone (workshop/gate.py), and behind nginx where it is installed.

Daphne alone, as on a laptop without nginx (`--no-nginx`): a request whose headers never finish is
answered 408 and closed after HEADER_TIMEOUT (10 s: the test waits for the close, up to FRAME more);
a body over 1 MiB is refused 413 before a byte of it is read; one address holds at most 100
connections, and another address is still served. Behind nginx: lesson 13's configuration answers
the same body with its own 413.
"""

import socket
import sys
import time

import pytest

from harness.patience import FRAME
from harness.servers import ServerProcess, free_port
from tests.helpers import require
from tests.helpers.workshop_server import join, make_room_env, open_room
from workshop import gate, proxy

pytestmark = pytest.mark.slow
HUGE = b"POST /workshop/join/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 157286400\r\n\r\n"


def served(tmp_path, *options: str):
    """`make workshop HOST=127.0.0.1` on a database of its own, with these options; its server and join code."""
    env, port = make_room_env(tmp_path), free_port()
    argv = [sys.executable, "-m", "workshop.serve", "--host", "127.0.0.1", "--port", str(port), *options]
    server = ServerProcess("make workshop", argv, env, port)
    return server, open_room(env, port)


def answer(connection: socket.socket) -> bytes:
    """What the server sends before it closes the connection (b"" if nothing), within a liveness deadline."""
    connection.settimeout(gate.HEADER_TIMEOUT + FRAME)
    said = b""
    try:
        while chunk := connection.recv(4096):
            said += chunk
    except ConnectionResetError:  # closed with bytes of ours unread: closed all the same
        pass
    return said


def test_headers_that_never_finish_are_answered_408_and_closed(served_alone):
    server, _ = served_alone
    with socket.create_connection(("127.0.0.1", server.port)) as half:
        half.sendall(b"GET /workshop/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
        began = time.monotonic()
        said = answer(half)
    assert said.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - began >= gate.HEADER_TIMEOUT - 1  # the deadline, not a refusal at once


def test_a_body_over_1_mib_is_refused_413_before_it_is_read(served_alone):
    server, _ = served_alone
    with socket.create_connection(("127.0.0.1", server.port)) as huge:
        huge.sendall(HUGE)  # 150 MiB announced, none of it sent
        assert answer(huge).startswith(b"HTTP/1.1 413 ")


def test_one_address_holds_at_most_100_connections_and_another_is_still_served(served_alone):
    server, code = served_alone
    held = [socket.create_connection(("127.0.0.1", server.port), source_address=("127.0.0.2", 0)) for _ in range(100)]
    try:
        with socket.create_connection(("127.0.0.1", server.port), source_address=("127.0.0.2", 0)) as over:
            assert answer(over) == b""  # closed at once, nothing read
        assert join(server, code, "from-another-address")  # 127.0.0.1: its own count
    finally:
        for connection in held:
            connection.close()


def test_make_workshop_serves_behind_nginx_where_it_is_installed(tmp_path):
    require(proxy.nginx() is not None, "nginx is not installed (apt-get install nginx): the room serves alone")
    server, code = served(tmp_path)
    try:
        assert "Behind nginx" in server.log()
        with socket.create_connection(("127.0.0.1", server.port)) as huge:
            huge.sendall(HUGE)
            said = answer(huge)
        assert said.startswith(b"HTTP/1.1 413 ") and b"Server: nginx" in said  # nginx's client_max_body_size
        assert join(server, code, "alice")  # and the room answers through it
    finally:
        server.stop()
