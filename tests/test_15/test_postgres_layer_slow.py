"""Lesson 15: CHANNEL_LAYER=postgres across real processes: rooms, direct sends, announce, the liveblog.

Two Daphne processes on channels_postgres, on a database of this run's own
(the postgres_layer_url fixture); the announce and post commands run in a
third process, as a student runs them. Then the two migrate commands lesson
15 gives, on empty databases, and a PostgreSQL of the test's own restarted
under the stock layer and under the course's (lessons/postgres_layer.py).
"""

import asyncio
import json
import sqlite3
import subprocess
import sys

import psycopg
import pytest
from django.db import connection

from harness.patience import COMMAND, CONDITION
from harness.servers import REPO_DIR, WarmDaphnes, daphne_env
from tests.helpers import require
from tests.helpers.clients import chat_socket, next_frame, open_socket
from tests.helpers.postgres import POSTGRES_SERVER_URL, create_database, drop_database, server_answers

pytestmark = pytest.mark.slow


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python manage.py <args>` in a process of its own, as a student types it."""
    return WarmDaphnes.run([sys.executable, "manage.py", *args], REPO_DIR, env, COMMAND)


async def test_two_daphne_processes_on_postgres_share_a_room(daphne, postgres_layer_url):
    first, second = daphne(postgres_layer_url, "postgres"), daphne(postgres_layer_url, "postgres")
    alice, bob = await chat_socket(first, "pg-lobby"), await chat_socket(second, "pg-lobby")
    await alice.send(json.dumps({"message": "across processes"}))
    assert (await next_frame(bob))["message"] == "across processes"
    await alice.close()
    await bob.close()


async def test_a_direct_send_on_postgres_reaches_a_socket_on_the_other_process(daphne, postgres_layer_url):
    first, second = daphne(postgres_layer_url, "postgres"), daphne(postgres_layer_url, "postgres")
    sender, reader = await open_socket(first, "ws/layers/direct/"), await open_socket(second, "ws/layers/direct/")
    await next_frame(sender)  # its own address
    address = (await next_frame(reader))["address"]
    await sender.send(json.dumps({"to": address, "message": "just you"}))
    assert (await next_frame(reader))["message"] == "just you"
    await sender.close()
    await reader.close()


async def test_announce_on_postgres_reaches_the_room_on_both_processes(daphne, postgres_layer_url, redis_prefix):
    servers = [daphne(postgres_layer_url, "postgres"), daphne(postgres_layer_url, "postgres")]
    sockets = [await chat_socket(server, "pg-news") for server in servers]
    env = daphne_env(connection.settings_dict, postgres_layer_url, redis_prefix, "postgres")
    result = await asyncio.to_thread(manage, "announce", "pg-news", "from a third process", env=env)
    assert result.returncode == 0, result.stderr
    assert [(await next_frame(ws))["message"] for ws in sockets] == ["from a third process"] * 2
    for ws in sockets:
        await ws.close()


@pytest.mark.django_db(transaction=True)
async def test_a_post_saved_in_a_third_process_reaches_liveblogs_on_both(daphne, postgres_layer_url, redis_prefix):
    servers = [daphne(postgres_layer_url, "postgres"), daphne(postgres_layer_url, "postgres")]
    sockets = [await open_socket(server, "ws/liveblog/") for server in servers]
    env = daphne_env(connection.settings_dict, postgres_layer_url, redis_prefix, "postgres")
    result = await asyncio.to_thread(manage, "post", "On PostgreSQL", "no Redis here", env=env)
    assert result.returncode == 0, result.stderr
    frames = [await next_frame(ws) for ws in sockets]
    assert [frame["post"]["title"] for frame in frames] == ["On PostgreSQL"] * 2
    for ws in sockets:
        await ws.close()


def test_the_two_migrate_commands_put_the_layers_tables_only_in_its_database(tmp_path, redis_prefix):
    error = server_answers(POSTGRES_SERVER_URL)
    require(error is None, f"no PostgreSQL answers at {POSTGRES_SERVER_URL} ({error}); install one or set POSTGRES_URL")
    layer_url, default_db = create_database(POSTGRES_SERVER_URL), tmp_path / "db.sqlite3"
    try:
        env = daphne_env({"ENGINE": "sqlite3", "NAME": str(default_db)}, layer_url, redis_prefix, "postgres")
        for command in (["migrate"], ["migrate", "--database", "channels_postgres"]):
            result = manage(*command, env=env)
            assert result.returncode == 0, result.stderr
        with psycopg.connect(layer_url) as layer_db:
            in_layer_db = {
                row[0] for row in layer_db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            }
            recorded = {row[0] for row in layer_db.execute("SELECT DISTINCT app FROM django_migrations")}
    finally:
        drop_database(POSTGRES_SERVER_URL, layer_url)
    with sqlite3.connect(default_db) as sqlite:
        in_default_db = {row[0] for row in sqlite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert in_layer_db == {"channels_postgres_message", "channels_postgres_groupchannel", "django_migrations"}
    assert "db_demo_post" in in_default_db and not any(name.startswith("channels_postgres") for name in in_default_db)
    # What the second command prints, as lesson 15 explains it: every app's migrations "Applying ... OK",
    # each recorded as applied in the layer's database, though the router let only the layer's create tables.
    assert "Applying db_demo.0001_initial... OK" in result.stdout and {"db_demo", "channels_postgres"} <= recorded


async def test_after_postgresql_restarts_the_stock_layer_never_receives_again(private_postgres, postgres_process_state):
    from channels_postgres.core import PostgresChannelLayer

    from lessons.channel_config import channel_layers
    from tests.helpers.guarantees import ready

    stock = PostgresChannelLayer(
        **channel_layers(None, "postgres", postgres_url=private_postgres.url)["default"]["CONFIG"]
    )
    await ready(stock, "before")
    private_postgres.stop()
    private_postgres.start()
    with pytest.raises(TimeoutError):  # 10 s: the course's layer listens again within about one
        async with asyncio.timeout(10):
            while True:
                try:
                    await ready(stock, "after")  # sends succeed (bar one per dead pooled connection)...
                    break
                except psycopg.OperationalError:
                    continue
    assert stock.listener_task_is_running.is_set()  # ...and every receive waits on a listener that is gone


async def test_after_postgresql_restarts_new_chat_sockets_chat_again_and_none_sees_a_500(daphne, private_postgres):
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    server = daphne(private_postgres.url, "postgres")
    async with await chat_socket(server, "before") as ws:
        await ws.send(json.dumps({"message": "before"}))
        assert (await next_frame(ws))["message"] == "before"
    private_postgres.stop()
    private_postgres.start()
    endings = []  # how each socket that did not chat ended, while the layer's connections recover
    async with asyncio.timeout(CONDITION):
        while True:
            try:
                async with await chat_socket(server, "after") as ws:
                    await ws.send(json.dumps({"message": "after"}))
                    if (await next_frame(ws, timeout=2))["message"] == "after":
                        break
            except TimeoutError:
                endings.append("sent while the listener reconnected: lost, at most once")
            except ConnectionClosed as closed:
                endings.append(closed.rcvd.code if closed.rcvd else None)
            except InvalidStatus as refused:  # the chat closes before accepting: Daphne answers 403
                endings.append(refused.response.status_code)
    assert set(endings) <= {4503, 403, "sent while the listener reconnected: lost, at most once"}
