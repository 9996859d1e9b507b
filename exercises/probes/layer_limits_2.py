"""The Redis layer a setting builds, seen from outside the process (05.3) and over a quiet channel's long read (05.5).

settings.py builds the layer and joins it to a group; here are the other process that sends to
it, the Redis databases that hold its keys, and (05.5) its reads, timed against Redis's own.
"""

import asyncio
import contextlib
import os
import subprocess
import sys

import pytest
import redis

from exercises.probes.outages import redis_answers
from exercises.probes.settings import arrival, in_a_group, started_with
from exercises.targets import REPO_DIR
from harness.patience import COMMAND

DEFAULT = "redis://127.0.0.1:6379/0"  # 05.3's and 05.5's REDIS_URL when none is set, as their tasks say


@pytest.fixture
def redis_url(monkeypatch) -> str:
    """REDIS_URL set, to this machine's (or the tasks' default), where a Redis answers: alike wherever a check runs."""
    monkeypatch.setenv("REDIS_URL", url := os.environ.get("REDIS_URL") or DEFAULT)
    redis_answers(url)
    return url


# The other process imports the settings afresh and sends, as a second machine or container would: own pid and hostname.
SENDER = """
import asyncio, os, platform, socket, sys
os.environ["HOSTNAME"] = "web-2"
socket.gethostname = platform.node = lambda: "web-2"
from exercises.probes import layer_of, target
async def main(layer, group, channel, burst):
    await layer.send(channel, {"type": "chat.message", "message": "to you alone"})
    for _ in range(int(burst)):
        await layer.group_send(group, {"type": "chat.message", "message": "from the other process"})
asyncio.run(main(layer_of(target("05.3").CHANNEL_LAYERS["default"], ""), *sys.argv[1:]))
"""


async def another_process_sends(group: str, channel: str, burst: int) -> None:
    """Another process, on 05.3's settings, sends one message to `channel`, then `burst` to `group`.

    A layer that lives inside the process (or one the other process reads another way) passes
    every test run in one process: only a second process, its own pid and hostname, shows it.
    """
    sender = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SENDER, group, channel, str(burst), cwd=REPO_DIR, stderr=subprocess.PIPE
    )
    _, error = await asyncio.wait_for(sender.communicate(), timeout=COMMAND)
    assert sender.returncode == 0, f"the other process could not send: {error.decode().strip().splitlines()[-1:]}"


async def heard_in_a_row(layer, channel: str, message: dict, most: int) -> int:
    """How many of the next arrivals on `channel`, up to `most`, are `message`: the count stops at the first gap."""
    heard = 0
    while heard < most and await arrival(layer, channel) == message:
        heard += 1
    return heard


async def group_shared(layer, other, message: dict) -> object:
    """What a channel of `layer`, in a group of its own, hears when `other` sends `message` to that group (arrival()).

    Two layers built apart, as two server processes build theirs; one that cannot join raises, as in_a_group() does.
    """
    async with in_a_group(layer) as (group, channel):
        await other.group_send(group, message)
        return await arrival(layer, channel)


async def joined_with(exercise_id: str, redis_url: str, rule: str) -> str | None:
    """The kind of layer the settings imported afresh with REDIS_URL=redis_url build, if it joins a group within 3 s."""
    try:
        async with in_a_group(layer := started_with(exercise_id, redis_url, rule)):
            return type(layer).__name__
    except Exception:  # nothing answers at REDIS_URL, or it refuses: the layer went where it was told
        return None


def no_redis_at(url: str) -> bool:
    """True if no Redis answers at `url` within 1 s: a layer that could not reach it there did all it could."""
    with contextlib.suppress(redis.RedisError):
        return not redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    return True


def databases_holding(url, group: str) -> list[int]:
    """The databases (0-15) of the Redis at `url` (a urlsplit) that hold a key naming `group`."""
    stores = {db: redis.Redis.from_url(url._replace(path=f"/{db}").geturl()) for db in range(16)}
    return [db for db, store in stores.items() if next(store.scan_iter(match=f"*{group}*", count=1000), None)]
