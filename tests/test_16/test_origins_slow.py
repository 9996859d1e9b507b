"""Lesson 16 on a real Daphne under production settings: the origin check compares the port.

Production's ALLOWED_HOSTS is 127.0.0.1 here, so channels' host-only check let in any page on
this machine, whatever its port: the room's staff socket opened for a page on another local port.
"""

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from harness.patience import FRAME

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


async def handshake_status(server, path: str, origin: str) -> int:
    """101 if the socket opened, else the HTTP status that refused it."""
    try:
        async with connect(server.ws_url(path), origin=origin, open_timeout=FRAME):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.mark.parametrize("path", ["ws/chat/lobby/", "ws/db/room/lobby/", "ws/workshop/room/"])
def test_production_refuses_a_page_on_another_port_of_its_host_with_403(production_server, path):
    assert asyncio.run(handshake_status(production_server, path, production_server.http_url)) == 101
    assert asyncio.run(handshake_status(production_server, path, "http://127.0.0.1:9999")) == 403
