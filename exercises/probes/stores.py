"""Django's cache and database as production has them: down, slow, shared by processes, on the right thread."""

import asyncio
import os
import time
from contextlib import contextmanager

from harness.patience import FRAME

# What Django's cache offers: a stand-in patches each, on the class (each thread has a cache object of its own).
CACHE_CALLS = ("get", "set", "add", "incr", "decr", "delete", "get_many", "set_many", "has_key", "touch", "get_or_set")
# What redis-py says when no Redis answers: a cache or a channel layer that is down.
REDIS_REFUSED = "Error 111 connecting to 127.0.0.1:6379. Connection refused."


class PasswordsChecked(list):
    """The usernames whose password Django checked, in order."""

    window_ends = False  # True: the cache empties during each check, as when a counter's window ends mid-hash

    async def as_the_window_ends(self, attempt):
        """`await attempt`, the cache emptied during each password it checks: its counter's window ends mid-hash."""
        self.window_ends = True
        try:
            return await attempt
        finally:
            self.window_ends = False


@contextmanager
def passwords_checked():
    """Counts the passwords Django checks (ModelBackend.authenticate, whatever calls it); the cache empty around it."""
    from unittest import mock

    from django.contrib.auth.backends import ModelBackend
    from django.core.cache import cache as django_cache

    checked, original = PasswordsChecked(), ModelBackend.authenticate

    def counted(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        if checked.window_ends:
            django_cache.clear()
        return original(self, request, username, password, **kwargs)

    django_cache.clear()
    with mock.patch.object(ModelBackend, "authenticate", counted):
        yield checked
    django_cache.clear()


@contextmanager
def cache_down(down: Exception | None = None):
    """Every call to Django's default cache raises what Django's Redis cache raises with Redis down (or `down`)."""
    from unittest import mock

    from django.core.cache import caches
    from redis.exceptions import ConnectionError as RedisConnectionError

    down = down or RedisConnectionError(REDIS_REFUSED)
    # On the class: each thread has a cache object of its own, and a consumer may count in a thread.
    with mock.patch.multiple(type(caches["default"]), **dict.fromkeys(CACHE_CALLS, mock.DEFAULT)) as patched:
        for call in patched.values():
            call.side_effect = down
        yield


# queries_by_thread()'s key for the SQL of database_sync_to_async(..., thread_sensitive=False), on any of its threads
DATABASE_SYNC_TO_ASYNC_POOL = "database_sync_to_async's pool"


@contextmanager
def queries_by_thread():
    """The SQL run meanwhile, by thread: with the ORM where it belongs, none on the loop and one thread for all.

    Django refuses a query on the loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set, whenever
    and however briefly: then the query runs, and blocks the loop, and shows here.
    database_sync_to_async, sync_to_async and the async ORM all run on Django's one
    sync thread, the check's own queries too; asyncio.to_thread or a pool adds threads.
    One pool is right: database_sync_to_async(f, thread_sensitive=False), which lesson 08
    offers for work safe to run in parallel, closes stale connections around each call
    on whichever of its threads runs it, so its queries are kept under one key,
    DATABASE_SYNC_TO_ASYNC_POOL.
    """
    import threading
    from unittest import mock

    from channels.db import DatabaseSyncToAsync
    from django.db.backends.utils import CursorWrapper

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    ran: dict[int | str, list[str]] = {}
    original = CursorWrapper._execute_with_wrappers
    original_handler = DatabaseSyncToAsync.thread_handler
    pooled = threading.local()  # a database_sync_to_async(..., thread_sensitive=False) call runs on this thread

    def recorded(self, sql, *args, **kwargs):
        key = DATABASE_SYNC_TO_ASYNC_POOL if getattr(pooled, "depth", 0) else threading.get_ident()
        ran.setdefault(key, []).append(sql)
        return original(self, sql, *args, **kwargs)

    def thread_handler(self, loop, *args, **kwargs):
        in_a_pool = not getattr(self, "_thread_sensitive", True)  # asgiref's own attribute
        pooled.depth = getattr(pooled, "depth", 0) + in_a_pool
        try:
            return original_handler(self, loop, *args, **kwargs)
        finally:
            pooled.depth -= in_a_pool

    try:
        with (
            mock.patch.object(CursorWrapper, "_execute_with_wrappers", recorded),
            mock.patch.object(DatabaseSyncToAsync, "thread_handler", thread_handler),
        ):
            yield ran
    finally:  # a consumer that set it must not change how the next check runs
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def orm_where_it_belongs(ran: dict[int | str, list[str]], advice: str) -> None:
    """Fail, saying `advice`, if queries_by_thread() saw SQL on the event loop's thread, or on more than one thread.

    database_sync_to_async's pool (thread_sensitive=False) counts as no thread of its own.
    """
    import threading

    on_the_loop = ran.pop(threading.get_ident(), [])
    assert not on_the_loop, (
        f"a query ran on the event loop's own thread ({on_the_loop[0][:60]}...): DJANGO_ALLOW_ASYNC_UNSAFE, set at "
        f"any moment, only hides Django's error, and every such query blocks every socket of the process. {advice}"
    )
    ran.pop(DATABASE_SYNC_TO_ASYNC_POOL, None)  # its threads close stale connections around each call
    assert len(ran) <= 1, (
        f"the queries ran on {len(ran)} threads: asyncio.to_thread or a pool of your own runs the ORM on threads "
        "that each open a database connection nothing closes (so does sync_to_async(f, thread_sensitive=False)); "
        "database_sync_to_async runs it on Django's one sync thread, or on a pool with thread_sensitive=False, "
        f"and closes stale connections around each call. {advice}"
    )


@contextmanager
def queries_told_first(ran: dict[int | str, list[str]], advice: str):
    """Whatever fails inside, a query on the event loop (or on threads of its own) is said first: it is the cause.

    On a busy machine such a query can stall the loop past never_blocks()' limit before the
    check gets to ask where the queries ran; the student must hear the same rule either way.
    """
    try:
        yield
    except BaseException:
        orm_where_it_belongs(dict(ran), advice)
        raise


@contextmanager
def cache_slow(delay: float = 0.1):
    """Every call to Django's default cache takes `delay` seconds, as a Redis across a busy network does.

    Called on the event loop (no sync_to_async around it), each call stalls every
    socket of the process for that long: never_blocks() around the code then says where.
    """
    from unittest import mock

    from django.core.cache import caches

    kind = type(caches["default"])  # on the class: each thread has a cache object of its own

    def slowed(original):
        def call(*args, **kwargs):
            time.sleep(delay)
            return original(*args, **kwargs)

        return call

    with mock.patch.multiple(kind, **{name: slowed(getattr(kind, name)) for name in CACHE_CALLS}):
        yield


@contextmanager
def reads_meet(threads: int = 2):
    """The first cache read of each of `threads` sync threads returns only once all of them have read (FRAME at most).

    Two server processes that read a count, then write it back, lose a count only if both
    read before either writes. On a busy machine one process may be done before the
    other starts, and a check would pass the get-then-set it is there to reject: this
    makes the two processes' first reads meet every time, as they can in production.
    A read on the event loop's own thread is not held (that would stall every socket).
    """
    import threading
    from unittest import mock

    from django.core.cache import caches

    kind = type(caches["default"])
    met = threading.Condition()
    arrived: set[int] = set()

    def meeting(original):
        def call(*args, **kwargs):
            value = original(*args, **kwargs)  # read first, then wait: both values are read before either returns
            me = threading.get_ident()
            on_the_loop = asyncio._get_running_loop() is not None
            with met:
                if not on_the_loop and me not in arrived and len(arrived) < threads:
                    arrived.add(me)
                    met.notify_all()
                    met.wait_for(lambda: len(arrived) >= threads, timeout=FRAME)
            return value

        return call

    with mock.patch.multiple(kind, **{name: meeting(getattr(kind, name)) for name in ("get", "get_many", "has_key")}):
        yield
