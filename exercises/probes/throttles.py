"""What a site does when what it leans on fails or is leaned on too hard: a layer down, a login guessed, a retry storm.

Check 15.2: a save whose broadcast meets a Redis layer down (refusing, or taken but silent), what the threads started
meanwhile raised, the posts a socket got after COMMIT.
Checks 16.1 and 16.2, a login throttle: the limits and accounts each test starts with, the password hash's time, and
the rules both throttles keep, each written once (a name locked after 5, a counter's next window, a slow cache).
A retry storm, a client's reconnect backoff (check 14.2), is 14.2's own (exercises/14_2_reconnect_delay/probes.py).
"""

import contextlib
import logging
import socket
import threading
import time
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer

from exercises.probes.communicators import close_all
from exercises.probes.frames import tally
from exercises.probes.loading import imported_afresh
from exercises.probes.logins import BAD, TOO_MANY, ask, ask_told, attempt
from exercises.probes.loop import never_blocks
from exercises.probes.outages import serve_layer
from exercises.probes.stores import cache_down, cache_slow, passwords_checked
from harness.patience import FRAME

IN_A_THREAD = (
    "{where}, the broadcast ran in a thread of its own, and its error ({error}) went where no log records it (a "
    "thread's error goes to stderr), and every post gets an event loop of its own: let on_commit(..., robust=True) "
    "run the broadcast itself, and log its error"
)


@pytest.fixture
def redis_down(settings, request):
    """A real Redis layer, without retries, at a local port held but not listening: refused at once, a Redis down.

    Its host is the course's, made by the check's `redis_host` (lessons.channel_config's: this package imports no
    course code). The port comes back to the test: port.listen() makes the kernel take each connection with nobody
    answering, a Redis that is up but hung, whose reads time out (0.3 s) instead of being refused.
    """
    with socket.socket() as port:
        port.bind(("127.0.0.1", 0))
        host = {**request.module.redis_host(f"redis://127.0.0.1:{port.getsockname()[1]}/0"), "retry": None}
        serve_layer(settings, RedisChannelLayer, hosts=[{**host, "socket_timeout": 0.3, "socket_connect_timeout": 1}])
        yield port


@contextlib.contextmanager
def no_thread_raises(where: str):
    """Fails, saying `where`, if a thread started inside raised (a broadcast handed to a thread of its own).

    A thread's error never reaches the save nor any log, only threading.excepthook: this catches it there,
    once each thread started inside has ended (a refused connection ends it in milliseconds; FRAME on a busy
    machine). A thread pool's worker idles on and is not waited for.
    """
    raised, before = [], set(threading.enumerate())
    with mock.patch.object(threading, "excepthook", lambda args: raised.append(args.exc_value)):
        yield
        for thread in set(threading.enumerate()) - before:
            if not thread.name.startswith("ThreadPoolExecutor"):
                thread.join(FRAME)
    for error in raised:
        pytest.fail(IN_A_THREAD.format(where=where, error=f"{type(error).__name__}: {error}"))


@contextlib.contextmanager
def survives(failed: str, why: str = ""):
    """An error out of the block (a save, its COMMIT too) fails the check as the student's save() would fail.

    The message is `failed`, the error (by its module, unless a built-in: redis-py's ConnectionError is not
    Python's), then `why`.
    """
    try:
        yield
    except Exception as error:  # a student's save() may raise anything
        kind = type(error)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        pytest.fail(f"{failed}: {name}: {error}{why}", pytrace=False)


async def posts_sent(server, save) -> list:
    """The posts a "liveblog" socket's channel got once `save(server())` ran in a sync thread, as a request saves.

    The socket's channel joins the group first, as its consumer does; then `server()` imports the module. The
    in-memory layer's queue says how many messages wait, so nothing is waited for that never comes.
    """
    layer = get_channel_layer()
    await layer.group_add("liveblog", channel := await layer.new_channel())
    await database_sync_to_async(save)(server())
    count = layer.channels[channel].qsize() if channel in layer.channels else 0
    return [(await layer.receive(channel))["post"] for _ in range(count)]


@pytest.fixture(autouse=True)
def login_limits(settings, caplog, transactional_db, request):  # committed rows: users are read in a database thread
    """The check's LIMITS pinned in settings, a fast hasher, every log record kept; the check's ACCOUNTS made.

    ACCOUNTS maps a username to its password. Imported into a check, this runs before each of its tests.
    """
    from django.contrib.auth.models import User

    caplog.set_level(logging.DEBUG)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for name, value in request.module.LIMITS.items():
        setattr(settings, name, value)
    for username, password in request.module.ACCOUNTS.items():
        User.objects.create_user(username, password=password)


@pytest.fixture
def server(request):
    """The check's LoginConsumer of the module imported afresh, as a new server process imports it: no earlier count."""
    return imported_afresh(request.module.EXERCISE, request.module.RULE).LoginConsumer.as_asgi()


@contextlib.contextmanager
def hashing_slowly(seconds: float = 0.05):
    """ModelBackend.authenticate taking as long as a real password hash, the GIL released meanwhile.

    The fast test hasher answers at once, and two server processes would seldom check at the same moment.
    """
    from django.contrib.auth.backends import ModelBackend

    authenticate = ModelBackend.authenticate

    def hashing(backend, *args, **kwargs):
        time.sleep(seconds)
        return authenticate(backend, *args, **kwargs)

    with mock.patch.object(ModelBackend, "authenticate", hashing):
        yield


async def guessed(opening, count: int, first: int = 0) -> list:
    """`count` wrong passwords for ada ("guess-<first>" on), each on a socket `opening()` opens, in turn: replies."""
    return [await attempt(opening(), "ada", f"guess-{n}") for n in range(first, first + count)]


async def locked_after_five(communicator, right: str, checked: list) -> list[str]:
    """ada's 6 wrong passwords then her right one on one socket: the passwords sent (for no_password_written()).

    The first 5 get BAD, each checked; the 6th and the right one TOO_MANY, unchecked (`checked`: passwords_checked()'s
    list); the socket stays open.
    """
    passwords = [*(f"guess-{n}" for n in range(6)), right]
    replies = [await ask(communicator, "ada", password) for password in passwords]
    assert replies == [BAD] * 5 + [TOO_MANY] * 2 and len(checked) == 5 and not communicator.future.done(), (
        f"the first 5 wrong passwords for ada must each get {BAD}, the 6th {TOO_MANY} without its password being "
        f"checked, and so must her right password then, the socket open: got {tally(replies)}, {len(checked)} checked"
    )
    return passwords


async def next_window_counts_afresh(guess, limit: int) -> None:
    """After a window ended while ada's right password was checked, `limit` + 1 wrong ones (`guess(password)`).

    The first `limit` get BAD, the next TOO_MANY: her attempt went with the old window, so nothing is taken back.
    """
    guesses = [await guess(f"guess-{n}") for n in range(limit + 1)]
    assert guesses == [BAD] * limit + [TOO_MANY], (
        f"ada's counter's window ended while her right password was checked, then {limit + 1} wrong passwords for her "
        f"got {tally(guesses)}: her attempt went with that window, so there was nothing to take back; a counter made "
        f"again to take it back (at -1) gives a guesser one more password in the next window (a {limit + 1}th). "
        "Take back with cache.decr(), which raises ValueError when the counter is gone: then take back nothing"
    )


async def a_slow_cache_never_stalls(communicator, right: str) -> None:
    """ada's right password on `communicator` with each cache call taking 0.1 s: she logs in, the loop never held."""
    with passwords_checked(), cache_slow(0.1):  # as slow as a Redis across a busy network
        async with never_blocks():
            reply = await ask(communicator, "ada", right)
    assert reply == {"username": "ada"}, (
        f"with each cache call taking 0.1 s, ada's right password got {reply}: a slow cache is no reason to refuse "
        "her, and the socket stays open"
    )
    await close_all(communicator)


async def refused_while_the_cache_is_down(communicator, password: str, down=None, answer=None) -> None:
    """ada's `password` with Django's cache down (cache_down(down)): never checked; `answer` the reply, if given.

    A crash (the server's 1011) stops the attempt unchecked too, so without `answer` any refusal will do.
    """
    with passwords_checked() as checked, cache_down(down):
        reply = await ask_told(communicator, "ada", password)
    what = f"redis.exceptions.{type(down).__name__}" if down else "Redis refusing connections"
    must = f"it must get {answer}, unchecked," if answer else "when the attempt cannot be counted, refuse it,"
    assert not checked and (answer is None or reply == answer), (
        f"with the cache down ({what}), ada's login got {reply}, "
        f"{'and her password was checked anyway' if checked else 'unchecked'}: {must} for any RedisError: a throttle "
        "that lets attempts through uncounted is off exactly when a guesser can take down its store"
    )
