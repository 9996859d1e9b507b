"""Lesson 15: channels_postgres, the other production layer: its configuration and what it does.

Configuration needs no server. What the layer does runs on a real PostgreSQL,
on a database of this run's own (the layer fixture's "postgres"). Real
processes are in tests/test_15/test_postgres_layer_slow.py; how it compares with
the other layers is tests/test_15/test_guarantees*.py.
"""

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.utils.module_loading import import_string

from lessons.channel_config import POSTGRES_ALIAS, PostgresLayerRouter, channel_layers
from tests.helpers.guarantees import next_message, ready
from tests.helpers.postgres import count_rows

LAYER_URL = "postgres://postgres@127.0.0.1:5432/layer"
ON_POSTGRES = pytest.mark.parametrize("any_layer", ["postgres"], indirect=True)


def test_channel_layer_postgres_selects_channels_postgres_at_postgres_url():
    config = channel_layers(None, "postgres", postgres_url=LAYER_URL)["default"]
    assert config["BACKEND"] == "lessons.postgres_layer.PostgresChannelLayer"  # channels_postgres's, listening again
    assert (config["CONFIG"]["HOST"], config["CONFIG"]["PORT"], config["CONFIG"]["NAME"]) == (
        "127.0.0.1",
        5432,
        "layer",
    )


def test_channel_layer_postgres_without_postgres_url_names_what_is_missing():
    with pytest.raises(ValueError, match="POSTGRES_URL"):
        channel_layers("redis://127.0.0.1:6379/0", "postgres")


def test_postgres_url_naming_another_database_engine_is_refused():
    with pytest.raises(ValueError, match="PostgreSQL"):
        channel_layers(None, "postgres", postgres_url="sqlite:///layer.sqlite3")


@pytest.mark.parametrize(
    ("database", "app", "allowed"),
    [
        ("default", "channels_postgres", False),
        (POSTGRES_ALIAS, "channels_postgres", True),
        (POSTGRES_ALIAS, "db_demo", False),
        ("default", "db_demo", None),  # no opinion: Django migrates it as usual
    ],
)
def test_each_migrate_command_creates_only_its_own_databases_tables(database, app, allowed):
    assert PostgresLayerRouter().allow_migrate(database, app) is allowed


def test_queries_on_the_layers_models_go_to_its_database():
    from channels_postgres.models import GroupChannel

    from db_demo.models import Post

    router = PostgresLayerRouter()
    assert (router.db_for_read(GroupChannel), router.db_for_write(Post)) == (POSTGRES_ALIAS, None)


def test_without_time_zone_in_its_config_get_channel_layer_returns_none(settings):
    # With USE_TZ on, its DatabaseWrapper raises KeyError('TIME_ZONE'), and
    # get_channel_layer() turns any KeyError into None (danidee10/channels_postgres#55).
    layers = channel_layers(None, "postgres", postgres_url=LAYER_URL)
    del layers["default"]["CONFIG"]["TIME_ZONE"]
    settings.CHANNEL_LAYERS = layers
    assert get_channel_layer() is None


@ON_POSTGRES
async def test_a_delivered_message_stays_in_its_table_until_a_later_sweep(any_layer, postgres_layer_url):
    # Up to ~8 kB a message travels in the NOTIFY payload and its row is left
    # for delete_expired_messages, which runs 10-20 minutes after a group_discard.
    channel_layer = get_channel_layer()
    await ready(channel_layer, "rows")
    await channel_layer.send("rows", {"type": "small"})
    assert (await channel_layer.receive("rows"))["type"] == "small"
    query = "SELECT count(*) FROM channels_postgres_message WHERE position('small'::bytea IN message) > 0"
    assert await count_rows(postgres_layer_url, query) == 1


@ON_POSTGRES
async def test_a_process_whose_listener_starts_takes_every_message_still_waiting(any_layer, postgres_layer_url):
    from channels_postgres.core import ASYNCIO_EVENT_CHANNEL_MAPPING

    channel_layer = get_channel_layer()
    await channel_layer.send("someone-elses", {"type": "waiting"})  # a channel this process never reads
    await ready(channel_layer, "mine")  # the first receive starts this process's listener
    left = await count_rows(
        postgres_layer_url, "SELECT count(*) FROM channels_postgres_message WHERE channel = 'someone-elses'"
    )
    assert (left, ASYNCIO_EVENT_CHANNEL_MAPPING["someone-elses"].qsize()) == (0, 1)


@ON_POSTGRES
async def test_a_second_layer_on_another_database_writes_to_the_first_ones(any_layer, postgres_layer_url, settings):
    # The connection pool is one module global (channels_postgres db.py): the
    # first layer object to make it decides the database for every later one.
    from channels_postgres.core import PostgresChannelLayer

    await ready(get_channel_layer(), "first")  # the first layer makes the pool
    config = {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "NAME": "no_such_database"}
    await PostgresChannelLayer(**config).send("second", {"type": "misplaced"})
    query = "SELECT count(*) FROM channels_postgres_message WHERE channel = 'second'"
    assert await count_rows(postgres_layer_url, query) == 1


@ON_POSTGRES
async def test_a_channel_keeps_its_queue_after_its_reader_has_gone(any_layer):
    # A socket that leaves cancels its consumer's receive; the process's queue
    # for its channel stays in ASYNCIO_EVENT_CHANNEL_MAPPING, which nothing shrinks.
    from channels_postgres.core import ASYNCIO_EVENT_CHANNEL_MAPPING

    channel_layer = get_channel_layer()
    channel = await channel_layer.new_channel()
    await ready(channel_layer, channel)
    waiting = asyncio.ensure_future(channel_layer.receive(channel))  # the consumer, between messages
    await asyncio.sleep(0)
    waiting.cancel()  # the socket leaves
    await asyncio.gather(waiting, return_exceptions=True)
    assert channel in ASYNCIO_EVENT_CHANNEL_MAPPING


@ON_POSTGRES
@pytest.mark.parametrize(
    ("backend", "kept"),
    [("channels_postgres.core.PostgresChannelLayer", False), ("lessons.postgres_layer.PostgresChannelLayer", True)],
    ids=["stock", "course"],
)
async def test_a_message_to_a_new_channel_before_its_first_receive(any_layer, settings, backend, kept):
    # A consumer's first receive() runs beside its websocket_connect: on the
    # stock layer a room message in between is dropped (no advisory lock yet).
    channel_layer = import_string(backend)(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    await ready(channel_layer, "busy")  # this process already listens
    channel = await channel_layer.new_channel()
    await channel_layer.send(channel, {"type": "early"})
    await channel_layer.send("busy", {"type": "after"})
    await next_message(channel_layer, "busy")  # the process has seen the early NOTIFY too
    assert ((await ready(channel_layer, channel))["type"] == "early") is kept
