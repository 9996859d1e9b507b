"""Lesson 15: PostgreSQL for the channels_postgres layer: a throwaway database, its tables, a reset.

The tests never touch a student's databases: each run creates a database of
its own on the PostgreSQL server and drops it at the end.
"""

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import psycopg

from lessons.channel_config import POSTGRES_ALIAS, postgres_database

# The PostgreSQL server the tests make a database of their own on (lesson 08's too).
POSTGRES_SERVER_URL = os.environ.get("POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/test"


def server_answers(url: str) -> str | None:
    """None if a PostgreSQL server answers at `url`, else why not."""
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).splitlines()[0]
    return None


def create_database(server_url: str) -> str:
    """Create an empty database on the server at `server_url`; return its URL."""
    name = f"lessons_layer_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def new_database(server_url: str) -> tuple[str | None, str | None]:
    """(the URL of a new empty database on the server at `server_url`, None), or (None, why no server answers)."""
    error = server_answers(server_url)
    return (None, error) if error is not None else (create_database(server_url), None)


def drop_database(server_url: str, database_url: str) -> None:
    """Drop a database create_database made, closing whatever still holds a connection to it."""
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate_layer_tables(database_url: str) -> None:
    """What `python manage.py migrate --database channels_postgres` does, run in this process.

    The alias exists in a test run only while this runs. The run disables
    migrations (--nomigrations); channels_postgres's tables and NOTIFY trigger
    only its migrations make, so its own are read here, and no other app's
    (reading every app's took about 40 ms).
    """
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    class LayerMigrationsOnly(MigrationLoader):
        @classmethod
        def migrations_module(cls, app_label):
            return ("channels_postgres.migrations", False) if app_label == "channels_postgres" else (None, False)

    class LayerMigrationExecutor(MigrationExecutor):
        # MigrationExecutor.__init__, with this loader: its own would read every app's migrations first.
        def __init__(self, connection):
            self.connection, self.progress_callback = connection, None
            self.loader, self.recorder = LayerMigrationsOnly(connection), MigrationRecorder(connection)

    connections.settings[POSTGRES_ALIAS] = connections.configure_settings(
        {"default": {}, POSTGRES_ALIAS: postgres_database(database_url)}
    )[POSTGRES_ALIAS]
    try:
        executor = LayerMigrationExecutor(connections[POSTGRES_ALIAS])
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        connections[POSTGRES_ALIAS].close()
        del connections[POSTGRES_ALIAS]
        del connections.settings[POSTGRES_ALIAS]


async def forget_layer_process_state() -> None:
    """Close channels_postgres's connection pool and forget its queues.

    The pool, the lock that guards making it, and the message queues are
    module globals, bound to the event loop of the first test that used them;
    each test has a loop of its own.
    """
    import asyncio

    from channels_postgres import core, db

    if db.connection_pool is not None:
        await db.connection_pool.close()
        db.connection_pool = None
    db.is_creating_connection_pool = asyncio.Lock()
    core.ASYNCIO_EVENT_CHANNEL_MAPPING.clear()


async def empty_layer_tables(database_url: str) -> None:
    """Delete every message and membership the layer left in its tables.

    A DELETE, not a TRUNCATE, which makes new files for both tables (about
    10 ms) where a DELETE of a test's few rows takes well under one.
    """
    async with connection_to(database_url) as connection:
        for table in ("channels_postgres_message", "channels_postgres_groupchannel"):
            await connection.execute(f"DELETE FROM {table}")


async def count_rows(database_url: str, query: str) -> int:
    """The number a SELECT count(*) query returns, asked outside the layer's own code."""
    async with connection_to(database_url) as connection:
        return (await (await connection.execute(query)).fetchone())[0]


@contextlib.asynccontextmanager
async def connection_to(database_url: str) -> AsyncIterator[psycopg.AsyncConnection]:
    """An autocommit connection to the database at `database_url`: the layer's pool's when it has one there.

    A new connection costs a PostgreSQL backend's start (about 5 ms).
    """
    from channels_postgres import db

    pool = db.connection_pool
    if pool is not None and not pool.closed and _where(pool.conninfo) == _where(database_url):
        async with pool.connection() as connection:  # the layer's connections are autocommit
            yield connection
        return
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as connection:
        yield connection


def _where(conninfo: str) -> tuple:
    """The server and database a connection string names."""
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    return str(params.get("host")), str(params.get("port")), params.get("dbname")
