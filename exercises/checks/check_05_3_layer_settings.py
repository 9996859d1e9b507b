"""Check 05.3 (fix): every process shares one channel layer (Redis), so a group_send crosses processes."""

import asyncio
import subprocess
import sys
import uuid

import pytest
import redis
from django.utils.module_loading import import_string

from exercises.checks.fixlab import load
from exercises.runner import REPO_DIR

RULE = (
    "Two processes only share groups through a shared layer: RedisChannelLayer on the same hosts and prefix, "
    "never InMemoryChannelLayer"
)
# The other process: imports the same settings module afresh, builds its layer, sends to the group.
SENDER = """
import asyncio, sys
from django.utils.module_loading import import_string
from exercises.registry import load_target
config, group = load_target("05.3").CHANNEL_LAYERS["default"], sys.argv[1]

async def main():
    layer = import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    await layer.group_send(group, {"type": "chat.message", "message": "from the other process"})

asyncio.run(main())
"""


def setting() -> dict:
    module = load("05.3", RULE)
    try:
        redis.Redis.from_url(module.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"no Redis answers at {module.REDIS_URL} ({error}): start one (`redis-server --daemonize yes`) "
            "or set REDIS_URL, then check again",
            pytrace=False,
        )
    return module.CHANNEL_LAYERS["default"]


async def test_a_group_send_from_another_process_reaches_this_one():
    config = setting()
    layer = import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    group = f"fixroom-{uuid.uuid4().hex[:12]}"  # no one else's group
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    try:
        sender = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SENDER, group, cwd=REPO_DIR, stderr=subprocess.PIPE
        )
        _, error = await asyncio.wait_for(sender.communicate(), timeout=20)
        assert sender.returncode == 0, f"the other process could not send: {error.decode().strip().splitlines()[-1:]}"
        try:
            async with asyncio.timeout(2):
                got = await layer.receive(channel)
        except TimeoutError:
            got = "nothing within 2 s"
        assert isinstance(got, dict) and got.get("message") == "from the other process", (
            f"the other process's group_send never arrived here (got {got}): with {config['BACKEND']}, each "
            f"process has a layer of its own. {RULE}"
        )
    finally:
        await layer.group_discard(group, channel)
