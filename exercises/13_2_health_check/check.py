"""Check 13.2: a health check a load balancer can poll.

The task's rules, in its order: 1. GET gets 200 and {"ok": true, "pid": <this process>}, two at once; 2. the pid is
read per request; 3. the answer says it is JSON; 4. every other method gets 405 with allow: GET; 5. header names in
lowercase, nothing after the response; 6 and 7: the battery (a client leaving mid-body, bytes that are no UTF-8,
DJANGO_ALLOW_ASYNC_UNSAFE).
"""

import asyncio
import json
import os

import pytest
from channels.testing import HttpCommunicator

from exercises.probes import FRAME, crashed, never_blocks, nothing_after_close, proved, target

COMMON_METHODS = ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
# A server passes on any method a client sends: a scanner's TRACE, WebDAV's PROPFIND, an extension's own.
OTHER_METHODS = [*COMMON_METHODS, "TRACE", "PROPFIND"]


def request(method: str, body: bytes = b"") -> HttpCommunicator:
    return HttpCommunicator(target("13.2").HealthCheckConsumer.as_asgi(), method, "/healthz", body=body)


async def response_to(communicator: HttpCommunicator) -> dict:
    """The whole response; a crash fails the check with a sentence."""
    try:
        return await communicator.get_response(timeout=FRAME)
    except Exception as error:  # the student's consumer raised
        pytest.fail(crashed(error), pytrace=False)


def header(response: dict, name: bytes) -> bytes | None:
    """The response's header `name` (lowercase); one sent under another case fails the check with a sentence."""
    for key, value in response["headers"]:
        if key == name:
            return value
    for key, _ in response["headers"]:
        if key.lower() == name:
            pytest.fail(
                f"the response names a header {key!r}: ASGI header names are lowercase bytes, {name!r}, and a "
                "middleware or server that looks for the lowercase name does not see yours",
                pytrace=False,
            )
    return None


def decoded(body: bytes) -> object:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return body


@pytest.mark.rule(1, 5)
async def test_get_answers_ok_and_this_process_id():
    async with never_blocks(0.5):  # a loaded machine stalls 100-200 ms by itself; a blocking call stalls longer
        first, second = request("GET"), request("GET", body=b"ignored")
        responses = await asyncio.gather(response_to(first), response_to(second))
    proved("sockets", 2)
    for response in responses:
        assert response["status"] == 200, f"expected 200 for GET, got {response['status']}"
        got = decoded(response["body"])
        assert got == {"ok": True, "pid": os.getpid()}, (
            f'expected {{"ok": true, "pid": {os.getpid()}}} (JSON, the pid a number), got {got}: '
            "the pid tells which process behind the load balancer answered"
        )
        assert got["ok"] is True and type(got["pid"]) is int, (
            f"expected ok to be the JSON true, not 1, and pid a whole number, got {got}: Python says 1 == True, "
            "JSON and a load balancer's check for true do not"
        )
    for communicator in (first, second):
        await nothing_after_close(communicator, 0.1)


@pytest.mark.rule(2)
async def test_the_pid_is_read_when_the_request_comes_not_at_import(monkeypatch):
    worker = os.getpid() + 1  # as after a fork: the server imported the application, then started this worker
    real = os.getpid
    monkeypatch.setattr(os, "getpid", lambda: worker)
    module = target("13.2")
    for name, value in list(vars(module).items()):  # `from os import getpid` asks per request too: right
        if value is real:
            monkeypatch.setattr(module, name, os.getpid)
    got = decoded((await response_to(request("GET")))["body"])
    pid = got.get("pid") if isinstance(got, dict) else got
    assert pid == worker, (
        f"the process asking os.getpid() now is {worker}, but the answer said pid {pid}: a pid read when the module "
        "was imported is the parent's in every worker a server forks after importing; ask os.getpid() per request"
    )


@pytest.mark.rule(3, 5)
async def test_the_answer_says_it_is_json():
    response = await response_to(request("GET"))
    kind = header(response, b"content-type") or b""
    assert kind.split(b";")[0].strip().lower() == b"application/json", (
        f"expected the header Content-Type: application/json, got {kind!r}: a load balancer or a script that "
        "reads the answer learns from it that the body is JSON"
    )


@pytest.mark.rule(4, 5)
async def test_every_other_method_gets_405_naming_get_and_nothing_after():
    for method in OTHER_METHODS:
        communicator = request(method, body=b"x")
        response = await response_to(communicator)
        unlisted = (
            ": a list of the methods to refuse never names them all, as a server passes on any method a client "
            "sends; compare with GET and refuse everything else"
            if method not in COMMON_METHODS
            else ""
        )
        assert response["status"] == 405, (
            f"expected 405 for {method}, got {response['status']}: only GET is answered{unlisted}"
        )
        allow = header(response, b"allow")
        assert allow == b"GET", (
            f"a 405 names the methods it allows (HTTP says so): expected Allow: GET for {method}, got {allow!r}"
        )
        await nothing_after_close(communicator, 0.1)
    proved("boundaries", len(OTHER_METHODS))


# The standard battery of what this exercise builds (HTTP consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import (  # noqa: E402, F401
    test_it_ends_when_the_client_leaves_mid_body,
    test_a_query_and_a_header_not_in_utf8_get_an_answer,
)
