"""Exercise 09.1: Write a test that catches broken echoes.

Write test_echo(consumer): it gets an echo consumer class and must pass
when the echo is correct, and fail for a broken echo. A correct echo sends
text (beyond ASCII too, "héllo ✓") and bytes (not UTF-8 too, b"\x00\xff")
back unchanged, each socket gets only its own echo when two are open at
once, and the consumer ends by itself after a disconnect. The check runs
your test on correct echoes (async and sync) and on several broken ones, and
your test must leave no consumer running, even when one of its assertions
fails.

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
