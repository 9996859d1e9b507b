"""Lesson 15: which layer loses what, in one process. The same tests on every layer.

Each test measures one row of the guarantees table on one layer, records the
cell (tests/helpers/guarantees.py) and compares it with the committed table,
bench/guarantees/table.json, which lesson 15 quotes. Restarts and several
processes are in tests/test_15/test_guarantees_slow.py.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer

from bench.guarantees import table
from tests.helpers.clients import configured
from tests.helpers.guarantees import next_message, ready

EVERY_LAYER = pytest.mark.parametrize("any_layer", list(table.LAYERS), indirect=True)
CAPACITY = 5


@EVERY_LAYER
async def test_one_senders_messages_arrive_in_the_order_sent(any_layer, guarantees, redis_prefix):
    channel_layer = get_channel_layer()
    channel = f"{redis_prefix}.order"
    await ready(channel_layer, channel)
    await channel_layer.group_add("order", channel)
    for n in range(10):
        await channel_layer.send(channel, {"type": "direct", "n": n})
        await channel_layer.group_send("order", {"type": "group", "n": n})
    received = [await next_message(channel_layer, channel) for _ in range(20)]
    in_order = all([m["n"] for m in received if m["type"] == kind] == list(range(10)) for kind in ("direct", "group"))
    cell = guarantees.record("order", any_layer, "in order" if in_order else "out of order")
    assert cell == guarantees.committed("order", any_layer)


@EVERY_LAYER
async def test_a_message_to_a_channel_no_one_reads_yet_waits_or_is_gone(any_layer, guarantees, redis_prefix):
    channel_layer = get_channel_layer()
    busy, channel = f"{redis_prefix}.busy", f"{redis_prefix}.unread"
    await ready(channel_layer, busy)  # the process is up and reading something
    await channel_layer.send(channel, {"type": "early"})  # no one reads this channel yet
    await channel_layer.send(busy, {"type": "after"})
    await next_message(channel_layer, busy)  # so the process has seen whatever came before (PostgreSQL's NOTIFY)
    first = await ready(channel_layer, channel)  # now someone reads it
    cell = guarantees.record("unread", any_layer, "kept until expiry" if first["type"] == "early" else "gone")
    assert cell == guarantees.committed("unread", any_layer)


@EVERY_LAYER
async def test_a_channel_at_capacity_refuses_drops_or_keeps_growing(any_layer, guarantees, redis_prefix, settings):
    settings.CHANNEL_LAYERS = configured(settings.CHANNEL_LAYERS, capacity=CAPACITY)
    channel_layer = get_channel_layer()
    channel = f"{redis_prefix}.full"
    await ready(channel_layer, channel)  # read once, then left unread while it fills
    refused = 0
    for n in range(CAPACITY + 1):
        try:
            await channel_layer.send(channel, {"type": "direct", "n": n})
        except ChannelFull:
            refused += 1
    for _ in range(CAPACITY + 1 - refused):
        await next_message(channel_layer, channel)
    await channel_layer.group_add("full", channel)
    for n in range(CAPACITY + 1):
        await channel_layer.group_send("full", {"type": "group", "n": n})  # never raises
    for _ in range(CAPACITY):
        await next_message(channel_layer, channel)
    await channel_layer.send(channel, {"type": "sentinel"})
    group_kept_all = (await next_message(channel_layer, channel))["type"] == "group"
    direct = "send raises ChannelFull" if refused else "no limit: send keeps every message"
    group = "group_send keeps every message" if group_kept_all else "group_send drops the rest silently"
    cell = guarantees.record("capacity", any_layer, f"{direct}; {group}")
    assert cell == guarantees.committed("capacity", any_layer)


@EVERY_LAYER
async def test_a_1_mib_message_is_delivered_whole(any_layer, guarantees, redis_prefix):
    channel_layer = get_channel_layer()
    channel = f"{redis_prefix}.large"
    await ready(channel_layer, channel)
    await channel_layer.send(channel, {"type": "large", "text": "x" * 1024 * 1024})
    message = await next_message(channel_layer, channel)
    delivered = len(message["text"]) == 1024 * 1024
    cell = guarantees.record("largest", any_layer, "delivered: no size limit" if delivered else "refused")
    assert cell == guarantees.committed("largest", any_layer)


@EVERY_LAYER
async def test_a_membership_older_than_group_expiry_ends_or_lives_on(any_layer, guarantees, redis_prefix, monkeypatch):
    channel_layer = get_channel_layer()
    channel = f"{redis_prefix}.member"
    await ready(channel_layer, channel)
    age = timedelta(seconds=channel_layer.group_expiry + 1) if hasattr(channel_layer, "group_expiry") else None
    await _group_add_in_the_past(channel_layer, any_layer, channel, age, monkeypatch)
    await channel_layer.group_send("members", {"type": "group"})
    await channel_layer.send(channel, {"type": "sentinel"})
    delivered = (await next_message(channel_layer, channel))["type"] == "group"
    cell = guarantees.record("group_expiry", any_layer, "still delivered" if delivered else "ended")
    assert cell == guarantees.committed("group_expiry", any_layer)


async def _group_add_in_the_past(channel_layer, layer: str, channel: str, age, monkeypatch) -> None:
    """Join "members" as if `age` ago, by moving the clock the layer reads (the pub/sub layer reads none)."""
    import time

    import channels.layers
    import channels_postgres.db
    import channels_redis.core

    if layer == "postgres":  # it stamps each membership with its expiry time: join with one already past
        with monkeypatch.context() as earlier:
            earlier.setattr(channels_postgres.db, "utc_now", lambda: datetime.now(tz=UTC) - age)
            await channel_layer.group_add("members", channel)
        return
    await channel_layer.group_add("members", channel)
    clock = {"memory": channels.layers, "redis": channels_redis.core, "sharded": channels_redis.core}.get(layer)
    if clock is not None:  # it stamps each membership with the time it joined: move time on
        later = time.time() + age.total_seconds()
        monkeypatch.setattr(clock, "time", type("Later", (), {"time": staticmethod(lambda: later)}))


# --- the table itself ------------------------------------------------------------


def test_the_markdown_table_is_the_committed_json_rendered():
    assert table.render(table.committed()) in table.TABLE_MARKDOWN.read_text()


REPO_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["NOTES.md", *(p.name for p in (REPO_DIR / "lessons").glob("15-*"))])
def test_every_quote_of_the_table_is_the_committed_table(path):
    text = (REPO_DIR / path if path == "NOTES.md" else REPO_DIR / "lessons" / path).read_text()
    quoted = re.search(r"^\| \| in-memory \|.*?(?=^\s*$)", text, re.MULTILINE | re.DOTALL)
    assert quoted is None or quoted.group(0) == table.render(table.committed())
