"""Lesson 13 on real processes, without nginx: the systemd units' commands with production settings,
and Daphne, uvicorn and granian serving the same course."""

import asyncio
import configparser
import json
import os
import shlex
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from bench.servers.run import SERVERS
from course.catalogue import REPO_DIR
from harness.patience import COMMAND, FRAME, SERVER_STOP, polled
from harness.servers import ServerProcess, database_url, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def environment_file() -> dict[str, str]:
    lines = (REPO_DIR / "deploy/env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def get(port: int, host: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=FRAME) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_the_daphne_units_command_serves_the_course_with_production_settings(redis_url, redis_prefix):
    from django.db import connection

    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.optionxform = str
    service.read(REPO_DIR / "deploy/channels-lessons-daphne@.service")
    port = free_port()
    command = service["Service"]["ExecStart"].replace("%i", str(port)).split()
    argv = [sys.executable, "-m", "daphne", *command[1:]]  # this checkout's daphne, not /srv's
    env = {**os.environ, **environment_file(), **dict([service["Service"]["Environment"].split("=", 1)])}
    env.update(
        DATABASE_URL=database_url(connection.settings_dict), REDIS_URL=redis_url, CHANNEL_LAYER_PREFIX=redis_prefix
    )
    server = ServerProcess("daphne, as the unit starts it", argv, env, port)
    try:
        public, headers = get(port, "lessons.example.org")
        other_host, _ = get(port, "127.0.0.1")
    finally:
        server.stop()
    assert public == 200 and "Strict-Transport-Security" in headers
    assert other_host == 400  # ALLOWED_HOSTS comes from the environment file only


async def test_the_task_units_command_runs_lesson_18s_tasks_with_production_settings(redis_url, redis_prefix):
    from django.db import connection

    from tasks_demo.tasks import count_primes

    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.optionxform = str
    service.read(REPO_DIR / "deploy/channels-lessons-tasks@.service")
    argv = [sys.executable, *shlex.split(service["Service"]["ExecStart"])[1:]]  # this checkout's Python, not /srv's
    env = {**os.environ, **environment_file(), **dict([service["Service"]["Environment"].split("=", 1)])}
    env.update(
        DATABASE_URL=database_url(connection.settings_dict), REDIS_URL=redis_url, CHANNEL_LAYER_PREFIX=redis_prefix
    )
    task = await count_primes.aenqueue(below=1000)

    async def finished():
        result = await count_primes.aget_result(task.id)
        return result if result.is_finished else None

    worker = subprocess.Popen(argv, cwd=REPO_DIR, env=env)
    try:
        done = await polled(finished, deadline=COMMAND, every=0.1)  # the worker's start-up is in this wait
    finally:
        worker.terminate()  # SIGTERM, as `systemctl stop` sends it: between tasks, the worker exits at once
        stopped = worker.wait(timeout=SERVER_STOP)
    assert done is not None and done.return_value == {"below": 1000, "primes": 168}
    assert stopped == 0


@pytest.mark.parametrize("asgi_server", list(SERVERS), indirect=True)
async def test_every_asgi_server_runs_the_course_unchanged(asgi_server):
    server = asgi_server
    async with connect(server.ws_url("ws/chat/servers/"), origin=server.http_url) as alice:
        async with connect(server.ws_url("ws/chat/servers/"), origin=server.http_url) as bob:
            await alice.send(json.dumps({"message": "same code"}))
            chat = json.loads(await asyncio.wait_for(bob.recv(), 5))["message"]
    async with connect(server.ws_url("ws/sync/echo/"), origin=server.http_url) as socket:
        await socket.send("a SyncConsumer")
        echo = await asyncio.wait_for(socket.recv(), 5)
    with pytest.raises(InvalidStatus) as refused:
        await connect(server.ws_url("ws/sync/echo/"), origin="http://evil.example")
    with urllib.request.urlopen(f"{server.http_url}/liveblog/events/", timeout=FRAME) as stream:
        content_type = stream.headers["Content-Type"]
    assert (chat, echo, refused.value.response.status_code) == ("same code", "a SyncConsumer", 403)
    assert content_type == "text/event-stream"


@pytest.mark.parametrize(
    ("asgi_server", "reason_sent", "two_mebibytes_echoed"),
    [("daphne", False, False), ("uvicorn", True, True), ("granian", True, True)],
    indirect=["asgi_server"],
)
async def test_the_servers_differ_in_close_reasons_and_message_size_limits(
    asgi_server, reason_sent, two_mebibytes_echoed
):
    server = asgi_server
    async with connect(server.ws_url("ws/liveblog/?since=x"), origin=server.http_url) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 5)
    async with connect(server.ws_url("ws/async/echo/"), origin=server.http_url, max_size=None) as socket:
        try:
            await socket.send("x" * 2 * 1024 * 1024)
            echoed = len(await asyncio.wait_for(socket.recv(), 10)) == 2 * 1024 * 1024
        except ConnectionClosed:
            # Daphne: over its 1 MiB limit it drops the connection, which the
            # client may see while still sending (a reset) or when it reads.
            echoed = False
    assert closed.value.rcvd.code == 4400
    assert bool(closed.value.rcvd.reason) is reason_sent
    assert echoed is two_mebibytes_echoed
