"""Lesson 15: which layer loses what when its store restarts, and whether a room spans two processes.

The two rows of the guarantees table that need real processes: the backing
store (a private redis-server, a private PostgreSQL cluster) stopped as a
crash stops it and started again, and two real Daphne processes sharing a
chat room. Each test compares its cell with bench/guarantees/table.json.
"""

import asyncio
import json
import time

import pytest
from channels.layers import get_channel_layer

from bench.guarantees import table
from harness.patience import CONDITION
from tests.helpers.clients import chat_socket, next_frame, receives_nothing
from tests.helpers.guarantees import next_message, ready

pytestmark = pytest.mark.slow
EVERY_LAYER = list(table.LAYERS)


async def seconds_until_it_works(channel_layer, channel: str, timeout: float = CONDITION) -> float | None:
    """Seconds until `channel` receives again on this layer object, or None if not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            await asyncio.wait_for(ready(channel_layer, channel), max(0.1, timeout - (time.monotonic() - started)))
            return time.monotonic() - started
        except Exception:  # a connection the restart broke, or nothing yet
            await asyncio.sleep(0.1)
    return None


@pytest.mark.parametrize("restartable_layer", EVERY_LAYER, indirect=True)
async def test_after_the_store_restarts_memberships_and_running_processes(
    restartable_layer, settings, redis_prefix, guarantees, postgres_process_state
):
    kind, restart = restartable_layer
    channel = f"{redis_prefix}.restart"
    await ready(get_channel_layer(), channel)
    await get_channel_layer().group_add("room", channel)
    restart()
    running = get_channel_layer()  # the same object, unless the store was the process
    seconds = await seconds_until_it_works(running, channel)
    reader = running
    if seconds is None:  # a process started after the restart
        reader = type(running)(**settings.CHANNEL_LAYERS["default"].get("CONFIG", {}))
        await seconds_until_it_works(reader, channel)
    await reader.group_send("room", {"type": "group"})
    await reader.send(channel, {"type": "sentinel"})
    member = (await next_message(reader, channel))["type"] == "group"
    if kind == "memory":
        recovery = "the store is the process: a new one starts empty"
    elif seconds is None:
        recovery = "a running process never receives again"
    else:  # a class, not the seconds: a loaded machine takes longer (this run's seconds go in the JSON)
        recovery = "a running process works again within seconds"
        guarantees.record_seconds("restart", kind, seconds)
    cell = guarantees.record("restart", kind, f"memberships {'kept' if member else 'lost'}; {recovery}")
    assert cell == guarantees.committed("restart", kind)


@pytest.mark.parametrize(
    ("layer_for_daphne", "kind"), [(kind, kind) for kind in EVERY_LAYER], indirect=["layer_for_daphne"]
)
async def test_a_room_spans_two_daphne_processes_or_not(layer_for_daphne, kind, daphne, guarantees):
    first, second = daphne(*layer_for_daphne), daphne(*layer_for_daphne)
    alice, bob = await chat_socket(first, "spans"), await chat_socket(second, "spans")
    await alice.send(json.dumps({"message": "across"}))
    assert (await next_frame(alice))["message"] == "across"  # sent: alice's own process delivered it
    shared = not await receives_nothing(bob, timeout=5)  # generous: a loaded machine is slow, not lossy
    cell = guarantees.record("processes", kind, "shared" if shared else "not shared: each process has its own")
    await alice.close()
    await bob.close()
    assert cell == guarantees.committed("processes", kind)
