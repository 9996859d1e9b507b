"""Check 13.2: a health check a load balancer can poll."""

import json
import os

from channels.testing import HttpCommunicator

from exercises.checks import target


async def test_get_answers_ok_and_this_process_id():
    communicator = HttpCommunicator(target("13.2").HealthCheckConsumer.as_asgi(), "GET", "/healthz")
    response = await communicator.get_response(timeout=1)
    assert response["status"] == 200, f"expected 200, got {response['status']}"
    try:
        got = json.loads(response["body"] or b"null")
    except ValueError:
        got = response["body"]
    assert got == {"ok": True, "pid": os.getpid()}, f'expected {{"ok": true, "pid": {os.getpid()}}}, got {got}'


async def test_another_method_gets_405():
    communicator = HttpCommunicator(target("13.2").HealthCheckConsumer.as_asgi(), "POST", "/healthz", body=b"x")
    response = await communicator.get_response(timeout=1)
    assert response["status"] == 405, f"expected 405 for POST, got {response['status']}"
    allow = dict(response["headers"]).get(b"allow")
    assert allow == b"GET", f"a 405 names the methods it allows (HTTP says so): expected Allow: GET, got {allow!r}"
