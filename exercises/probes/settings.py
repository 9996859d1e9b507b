"""A channel layer setting as each server process reads it: the layer it builds, a group of it, what reaches it, and
what the process writes of its REDIS_URL (checks 05.3, 05.5)."""

import asyncio
import contextlib
import os
import uuid
from unittest import mock

import pytest
from django.utils.module_loading import import_string

from exercises.probes.loading import imported_afresh
from exercises.probes.outside_consumers import received_on

# What a server that prints or logs its REDIS_URL at start has done, and what to do instead (checks 05.3, 05.5).
PASSWORD_WRITTEN = (
    "its password reached the server's output or log as the settings were imported: every server process writes "
    "it at start, into a journal or a log service whose readers can then use Redis as the project does. Print or "
    "log no REDIS_URL (its host at most: urlsplit(REDIS_URL).hostname)"
)


def layer_of(config: dict, rule: str, when: str = ""):
    """The layer `config` describes, as Channels builds it; a setting it cannot build fails with a sentence."""
    try:
        return import_string(config["BACKEND"])(**config.get("CONFIG", {}))
    except Exception as error:  # a student's setting may name or configure anything
        pytest.fail(
            f'Channels could not make the layer of CHANNEL_LAYERS["default"]{when}: {type(error).__name__}: '
            f"{str(error).rstrip('.')}. A layer is a BACKEND and its CONFIG, as Channels' docs show: "
            f'{{"hosts": [REDIS_URL]}}, REDIS_URL a redis:// URL. {rule}',
            pytrace=False,
        )


def started_with(exercise_id: str, redis_url: str | None, rule: str):
    """The layer of the settings imported afresh, as a new server starts, with REDIS_URL=redis_url (None: unset)."""
    with mock.patch.dict(os.environ):
        os.environ.pop("REDIS_URL", None)
        module = imported_afresh(exercise_id, rule, {"REDIS_URL": redis_url} if redis_url else None)
    when = f" with REDIS_URL={redis_url}" if redis_url else " with REDIS_URL unset"
    return layer_of(module.CHANNEL_LAYERS["default"], rule, when)


@contextlib.asynccontextmanager
async def in_a_group(layer, join: float = 3):
    """A new channel of `layer` in a group of its own for the block: (group, channel); a layer that cannot join
    within `join` seconds (no Redis answers where it went, or it refuses) raises."""
    group = f"fixroom-{uuid.uuid4().hex[:12]}"  # no one else's group
    async with asyncio.timeout(join):
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
    try:
        yield group, channel
    finally:
        await layer.group_discard(group, channel)


async def arrival(layer, channel: str) -> object:
    """What the channel receives: a message, nothing, or a sentence naming why it could not be read.

    The wait ends when a message comes, or once nothing left running in this process could still send one (a
    layer that lives in the process: received_on()), or at FRAME (a Redis layer, whose socket is always watched).
    """
    try:
        return await received_on(layer, channel)  # a sentence that starts "nothing" when none came
    except Exception as error:
        named = f"{type(error).__module__}.{type(error).__name__}: {error}"
        if type(error).__module__.split(".")[0] in ("cryptography", "msgpack"):  # it came, sealed or packed otherwise
            return f"a message this process could not read: {named}"
        return f"nothing: receiving on this process's layer failed ({named})"
