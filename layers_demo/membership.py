"""Keeping an open chat socket in its group (lesson 05).

A group membership is data in the layer, and that data can vanish while the
socket stays open: a Redis restarted without persistence forgets every group,
and every layer ends a membership after `group_expiry` seconds. The socket
would stay open but hear nothing. So the chat consumer runs renew_membership()
as a background task for as long as the socket is open.
"""

import asyncio
import logging

from django.conf import settings
from psycopg import OperationalError as PostgresUnavailable
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
DEFAULT_INTERVAL = 10.0  # seconds; the setting CHAT_REJOIN_INTERVAL overrides it


async def renew_membership(layer, group: str, channel: str) -> None:
    """Join `group` again every CHAT_REJOIN_INTERVAL seconds, until cancelled."""
    while True:
        await asyncio.sleep(getattr(settings, "CHAT_REJOIN_INTERVAL", DEFAULT_INTERVAL))
        try:
            await layer.group_add(group, channel)  # joining twice is harmless: it renews
        except (RedisError, PostgresUnavailable) as error:
            logger.warning("could not renew a membership of %s, will try again: %r", group, error)


async def stop(task: asyncio.Task) -> None:
    """Cancel `task` and wait until it has really stopped."""
    task.cancel()
    await asyncio.wait([task])
