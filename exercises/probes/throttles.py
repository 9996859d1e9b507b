"""What a site does when what it leans on fails or is leaned on too hard: a layer down, a login guessed, a retry storm.

Check 15.2: a save whose broadcast meets a Redis layer down (refusing, or taken but silent), what the threads started
meanwhile raised, the posts a socket got after COMMIT.
"""

import contextlib
import socket
import threading
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer

from exercises.probes.outages import serve_layer
from harness.patience import FRAME
from lessons.channel_config import redis_host

IN_A_THREAD = (
    "{where}, the broadcast ran in a thread of its own, and its error ({error}) went where no log records it (a "
    "thread's error goes to stderr), and every post gets an event loop of its own: let on_commit(..., robust=True) "
    "run the broadcast itself, and log its error"
)


@pytest.fixture
def redis_down(settings):
    """A real Redis layer, without retries, at a local port held but not listening: refused at once, a Redis down.

    The port comes back to the test: port.listen() makes the kernel take each connection with nobody answering,
    a Redis that is up but hung, whose reads time out (0.3 s) instead of being refused.
    """
    with socket.socket() as port:
        port.bind(("127.0.0.1", 0))
        host = {**redis_host(f"redis://127.0.0.1:{port.getsockname()[1]}/0"), "retry": None}
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

    The message is `failed`, the error, then `why`.
    """
    try:
        yield
    except Exception as error:  # a student's save() may raise anything
        pytest.fail(f"{failed}: {type(error).__name__}: {error}{why}", pytrace=False)


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
