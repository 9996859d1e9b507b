"""Exercise 09.1: Write a test that catches broken echoes.

Write test_echo(consumer): it gets an echo consumer class and must pass
when the echo is correct, and fail for a broken echo. A correct echo sends
text (beyond ASCII too, "héllo ✓") and bytes (not UTF-8 too, b"\x00\xff")
back unchanged, each socket gets only its own echo when two are open at
once, and the consumer ends by itself after a disconnect. The check runs
your test on correct echoes (async and sync) and on several broken ones, and
your test must leave no consumer running, even when one of its assertions
fails.

Rules (the check proves each one, and nothing else):

1. test_echo passes on a correct echo, async (AsyncConsumer) and sync
   (WebsocketConsumer): it asserts only what every correct echo does.
2. It disconnects every socket it opens (a consumer left running is
   cancelled when the communicator is thrown away).
3. It fails (an AssertionError, or a wait's TimeoutError) on each broken
   echo: one that never accepts, drops or changes a frame (a newline
   added, capitals, non-ASCII turned to ?, bytes passed through UTF-8,
   bytes that read as text answered as a text frame), answers twice,
   stops after one echo, never stops after a disconnect (ask
   future.cancelled()), or echoes to another socket than its sender (to
   every socket, the newest, or the first one).
4. When one of its assertions fails, it still ends every socket it
   opened (try/finally).
5. Nothing in this file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 09.1

The check is exercises/09_1_write_a_test/check.py; once you have tried,
`python manage.py exercise 09.1 --solution` shows where the solution is.
"""

from channels.testing import WebsocketCommunicator  # noqa: F401  (you will need it)


async def test_echo(consumer):
    """Pass for a correct echo consumer class, fail (AssertionError) for a broken one."""
    # TODO: two sockets; send text and bytes, check each comes back to its sender only; disconnect both,
    # and check each consumer ended by itself; a failed assertion must not leave a socket open (try/finally)
