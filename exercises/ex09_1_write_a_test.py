"""Exercise 09.1: Write a test that catches broken echoes.

Write test_echo(consumer): it gets an echo consumer class and must pass
when the echo is correct (text and bytes come back unchanged, and the
consumer ends by itself after a disconnect), and fail for a broken echo.
The check runs your test on a correct echo and on several broken ones.

Edit this file, then check it:

    python manage.py exercise 09.1

The check is exercises/checks/check_09_1_write_a_test.py; once you have tried,
`python manage.py exercise 09.1 --solution` shows where the solution is.
"""

from channels.testing import WebsocketCommunicator  # noqa: F401  (you will need it)


async def test_echo(consumer):
    """Pass for a correct echo consumer class, fail (AssertionError) for a broken one."""
    # TODO: connect, send text and bytes, check both come back, disconnect, check it ended by itself
