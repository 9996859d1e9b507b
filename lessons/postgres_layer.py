"""channels_postgres's layer, reading a new channel at once and listening again after a restart (lesson 15).

channels_postgres 1.1.4 receives through one LISTEN connection per process,
opened by a task on the first receive(), and hands a NOTIFY to a channel only
once a receive() on that channel has taken its advisory lock. Two gaps follow:

- A consumer's receive() starts beside its websocket_connect, so a message
  can reach the room between group_add and that lock, and be dropped: the
  socket is open but not yet in its room. Here new_channel(), which Channels
  awaits before any event, takes the lock and starts listening first.
- When PostgreSQL restarts, the LISTEN connection dies, the task ends with
  OperationalError, and nothing starts it again: the process still sends, but
  none of its sockets receives anything until the process restarts. Here the
  listener listens again.

tests/test_15/test_postgres_layer*.py show both on the stock layer and this one.
lessons/channel_config.py configures it; it is a module of its own because
importing channels_postgres defines its models, which cannot happen while the
settings load.
"""

import asyncio
import logging

import psycopg
from channels_postgres.core import PostgresChannelLayer as StockPostgresChannelLayer

logger = logging.getLogger(__name__)
LISTEN_AGAIN_AFTER = 0.5  # seconds between attempts while PostgreSQL is unreachable
NOTIFY_CHANNEL = "channels_postgres_messages"  # what its trigger NOTIFYs (its migration 0004)


class PostgresChannelLayer(StockPostgresChannelLayer):
    """The stock layer, whose new channels are read at once and whose listener reconnects instead of ending."""

    async def new_channel(self, prefix: str = "specific") -> str:
        """A new channel name, whose NOTIFYs this process already keeps when it is returned."""
        channel = await super().new_channel(prefix)
        await self._get_or_create_channel_advisory_lock(channel)
        listening, is_new = self._get_or_create_listener_task()
        if is_new:  # kept, so the task is not garbage-collected while it listens
            self.listener = asyncio.create_task(self.listen_to_all_channels())
        await listening.wait()
        return channel

    async def listen_to_all_channels(self) -> None:
        """Start as the stock layer does; when the connection fails, listen again, until shut down."""
        while True:
            try:
                if self.listener_task_is_running.is_set():
                    return await self.listen_again()
                # The stock start: take every unexpired message from the table, then LISTEN.
                return await super().listen_to_all_channels()
            except psycopg.OperationalError as error:
                logger.warning("the PostgreSQL layer lost its LISTEN connection (%r); listening again", error)
                await asyncio.sleep(LISTEN_AGAIN_AFTER)

    async def listen_again(self) -> None:
        """The stock listening loop without its first sweep of the table.

        Messages delivered by NOTIFY keep their rows until they expire, so a
        second sweep would deliver them twice. Whatever was sent while no
        connection listened is lost instead: at most once, as the layer promises.
        """
        conninfo = psycopg.conninfo.make_conninfo(conninfo="", **self.db_params)
        async with await psycopg.AsyncConnection.connect(conninfo=conninfo, autocommit=True) as connection:
            await connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            logger.warning("the PostgreSQL layer is listening again")
            async for event in connection.notifies():
                if event.payload == "1:shutdown":
                    self.listener_task_is_running.clear()
                    return
                channel = event.payload.split(":")[1]
                if self._channel_advisory_locks.get(channel, False):  # a channel this process reads
                    self._get_or_create_queue(channel).put_nowait(event.payload)
