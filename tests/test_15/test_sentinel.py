"""Lesson 15: REDIS_SENTINELS and REDIS_SENTINEL_MASTER, the layer settings they make, deploy/sentinel.conf,
a save whose broadcast fails, and a liveblog socket that fills a gap a layer left.

The failover itself, on real Redis, Sentinel and Daphne processes, is in tests/test_15/test_sentinel_slow.py.
"""

import asyncio
import importlib
import json
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator, WebsocketCommunicator
from channels_redis.utils import create_pool
from django.db.models.signals import post_save
from redis.asyncio.sentinel import SentinelConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError

from db_demo import signals
from db_demo.events import LiveblogEventsConsumer
from db_demo.liveblog import LiveblogConsumer
from db_demo.models import Post
from harness.servers import REPO_DIR, render
from lessons.channel_config import SENTINEL_MASTER, channel_layers, redis_host, sentinel_addresses
from tests.helpers.clients import ORIGIN
from tests.helpers.http_streams import body_parts, open_stream, parse_events

SENTINELS = "10.0.0.7:26379,10.0.0.8:26379,10.0.0.9:26379"


def only_host(layers: dict) -> dict:
    [host] = layers["default"]["CONFIG"]["hosts"]
    return host


def test_redis_sentinels_is_read_as_host_and_port_pairs():
    assert sentinel_addresses(" 10.0.0.7:26379, [::1]:26380") == [("10.0.0.7", 26379), ("::1", 26380)]


@pytest.mark.parametrize("entry", ["", "sentinel", "sentinel:", ":26379", "sentinel:port", "sentinel:70000"])
def test_a_redis_sentinels_entry_that_is_not_host_and_port_is_refused_by_name(entry):
    with pytest.raises(ValueError, match="host:port") as refused:
        sentinel_addresses(f"10.0.0.7:26379,{entry}")
    assert repr(entry) in str(refused.value)


@pytest.mark.parametrize("kind", ["core", "pubsub"])
def test_with_sentinels_both_redis_layers_ask_them_for_the_named_primary(kind):
    host = only_host(channel_layers("redis://ignored:6379/0", kind, sentinels=SENTINELS, master="chat"))
    assert (host["master_name"], host["sentinels"], "address" in host) == (
        "chat",
        [("10.0.0.7", 26379), ("10.0.0.8", 26379), ("10.0.0.9", 26379)],
        False,
    )


def test_the_primary_found_through_sentinel_gets_lesson_05s_redis_py_8_settings():
    host, one_server = only_host(channel_layers(None, sentinels=SENTINELS)), redis_host("redis://10.0.0.5:6379/0")
    same = ["socket_timeout", "socket_keepalive", "socket_connect_timeout", "max_connections", "health_check_interval"]
    assert [host[key] for key in same] == [one_server[key] for key in same]
    assert (host["retry"].get_retries(), type(host["retry"]._backoff)) == (6, type(one_server["retry"]._backoff))


def test_channels_redis_turns_that_host_into_a_sentinel_pool_with_those_settings():
    pool = create_pool(only_host(channel_layers(None, sentinels=SENTINELS)))
    sentinel = pool.sentinel_manager.sentinels[0].connection_pool.connection_kwargs
    assert isinstance(pool, SentinelConnectionPool)
    assert (pool.service_name, pool.connection_kwargs["socket_timeout"], pool.max_connections) == (
        SENTINEL_MASTER,
        None,
        1000,
    )
    assert (sentinel["socket_timeout"], sentinel["socket_connect_timeout"]) == (1, 1)  # not redis-py's 5 s


def test_settings_read_redis_sentinels_and_the_master_name_from_the_environment(monkeypatch):
    from lessons import settings as course_settings

    monkeypatch.setenv("REDIS_SENTINELS", SENTINELS)
    monkeypatch.setenv("REDIS_SENTINEL_MASTER", "lessons")
    try:
        host = only_host(importlib.reload(course_settings).CHANNEL_LAYERS)
    finally:
        monkeypatch.undo()
        importlib.reload(course_settings)
    assert (host["master_name"], len(host["sentinels"])) == ("lessons", 3)


def test_without_redis_sentinel_master_the_primary_is_called_mymaster():
    assert only_host(channel_layers(None, sentinels=SENTINELS))["master_name"] == "mymaster"


def test_deploy_redis_conf_has_no_placeholder_its_header_does_not_name():
    conf = render(REPO_DIR / "deploy" / "redis.conf", {"BIND": "10.0.0.5", "PORT": "6379", "DIR": "/var/lib/redis"})
    directives = [line for line in conf.splitlines() if line and not line.startswith("#")]
    assert ("dir /var/lib/redis" in directives, "${" in "\n".join(directives)) == (True, False)


def test_deploy_sentinel_conf_watches_that_primary_with_a_quorum_of_two():
    values = {"BIND": "10.0.0.7", "SENTINEL_PORT": "26379", "PRIMARY_HOST": "10.0.0.5", "PRIMARY_PORT": "6379"}
    conf = render(REPO_DIR / "deploy" / "sentinel.conf", {**values, "DOWN_AFTER_MS": "5000"})
    directives = [line for line in conf.splitlines() if line and not line.startswith("#")]
    assert f"sentinel monitor {SENTINEL_MASTER} 10.0.0.5 6379 2" in directives
    assert "${" not in "\n".join(directives)  # every placeholder the header names is filled


@pytest.mark.django_db(transaction=True)
def test_a_post_is_saved_while_the_layer_is_down_and_the_failed_broadcast_logged(monkeypatch, caplog):
    def layer_down(post: dict) -> None:
        raise ConnectionError("the layer is down")

    monkeypatch.setattr(signals, "send_post", layer_down)
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        post = Post.objects.create(title="saved", body="while the layer is down")
    assert Post.objects.filter(pk=post.pk).exists()
    assert "send_saved_post in on_commit() (the layer is down)" in caplog.text


def save_unannounced() -> Post:
    """A Post saved with its broadcast switched off: as if the layer had lost the message."""
    post_save.disconnect(signals.announce_saved_post, sender=Post)
    try:
        return Post.objects.create(title="lost", body="by the layer")
    finally:
        post_save.connect(signals.announce_saved_post, sender=Post)


@pytest.mark.django_db(transaction=True)
async def test_a_liveblog_socket_reads_a_post_the_layer_never_delivered_from_the_database():
    first = await database_sync_to_async(Post.objects.create)(title="first", body="delivered")
    socket = WebsocketCommunicator(LiveblogConsumer.as_asgi(), f"/ws/liveblog/?since={first.pk}", headers=ORIGIN)
    await socket.connect()
    lost = await database_sync_to_async(save_unannounced)()
    latest = await database_sync_to_async(Post.objects.create)(title="latest", body="delivered")
    received = [json.loads(await socket.receive_from())["post"]["id"] for _ in range(2)]
    assert received == [lost.pk, latest.pk]
    # Sent once each: the next frame is a post saved after them (a duplicate would come first).
    after = await database_sync_to_async(Post.objects.create)(title="after", body="delivered")
    assert json.loads(await socket.receive_from())["post"]["id"] == after.pk
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_its_event_stream_twin_reads_that_post_from_the_database_too():
    first = await database_sync_to_async(Post.objects.create)(title="first", body="delivered")
    headers = [(b"last-event-id", str(first.pk).encode())]
    stream = HttpCommunicator(LiveblogEventsConsumer.as_asgi(), "GET", "/liveblog/events/", headers=headers)
    await open_stream(stream)
    lost = await database_sync_to_async(save_unannounced)()
    latest = await database_sync_to_async(Post.objects.create)(title="latest", body="delivered")
    events = parse_events(await body_parts(stream, 2))
    await stream.send_input({"type": "http.disconnect"})
    await stream.wait()
    assert [event["id"] for event in events] == [str(lost.pk), str(latest.pk)]


async def test_a_liveblog_socket_whose_layer_gives_up_is_closed_with_4503_not_1011(monkeypatch):
    opened = asyncio.Event()

    async def redis_gone(channel):
        await opened.wait()  # the socket opens first; then the layer's retries run out
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(get_channel_layer(), "receive", redis_gone)
    socket = WebsocketCommunicator(LiveblogConsumer.as_asgi(), "/ws/liveblog/", headers=ORIGIN)
    connected, _ = await socket.connect()
    opened.set()
    assert (connected, await socket.receive_output()) == (True, {"type": "websocket.close", "code": 4503})


@pytest.mark.parametrize("name", ["reference", "pubsub_runs"])
def test_the_failover_runs_lesson_15_quotes_are_rendered_from_the_json(name):
    from bench.failover.run import REFERENCE_MD, render_reference

    # NOTES.md quotes the .md for lesson 15 (tests/course/test_docs.py keeps the quote identical); the .md is the .json's.
    md, runs = REFERENCE_MD.with_name(f"{name}.md"), json.loads(REFERENCE_MD.with_name(f"{name}.json").read_text())
    assert md.read_text() == render_reference(runs)


def test_bench_failover_writes_a_new_file_and_the_reference_only_when_asked():
    from bench.failover.run import REFERENCE_JSON, REFERENCE_MD, output_paths

    new_json, new_md = output_paths(reference=False, out=None)
    assert (new_json.exists(), new_md.exists(), REFERENCE_JSON.parent in new_json.parents) == (False, False, False)
    assert output_paths(reference=True, out=None) == (REFERENCE_JSON, REFERENCE_MD)


@pytest.mark.django_db
def test_the_doctor_says_so_when_no_sentinel_answers(settings, capsys, quick_doctor):
    from django.core.management import call_command

    settings.REDIS_SENTINELS, settings.REDIS_SENTINEL_MASTER = "127.0.0.1:1", "mymaster"
    with pytest.raises(SystemExit):
        call_command("doctor")
    assert "FAIL  Redis reachable through Sentinel: no sentinel names a primary that answers" in capsys.readouterr().out
