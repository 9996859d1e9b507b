"""Check 00.3 (fix): a path no route claims is refused (close before accept: HTTP 403), never a crash (HTTP 500).

Every path no route claims (typos, near misses, the root, a line break) is refused with a close before any accept,
nothing after and no blocking call; the refusing consumer ends once the handshake is over; the echo route still
works for two sockets at once, beside a refused one; a crash inside the echo route stays a crash.

The task's rules, in its order: 1 every unknown path is refused cleanly, with no blocking call; 2 the refusing
consumer ends on the disconnect that follows; 3 the echo route works for two sockets beside a refused one; 4 a crash
inside the echo route still reaches the server; 5 (the battery) a route claims its own path only; 6 (the battery)
DJANGO_ALLOW_ASYNC_UNSAFE stays unset.
"""

import pytest
from channels.testing import WebsocketCommunicator

from exercises.probes import FRAME, NOTHING, answer, close_all, crashed, ends_on_disconnect, never_blocks, next_output
from exercises.probes import proved
from exercises.probes.asgi_setup import refused

EXERCISE = "00.3"
RULE = (
    "A path no route claims must still reach a consumer, which refuses it cleanly: a close before any accept "
    "(HTTP 403), never a router crash (HTTP 500); every other route keeps working"
)
# Typos, near misses of the echo route at both ends, other prefixes, the root: no route claims any of them.
# A refusal is a few awaits: 80 ms held in your code is a blocking call (only a stall with your file on the loop's
# stack counts, so a busy machine is not blamed); time.sleep(0.1) to slow scanners down is caught.
LAG = 0.08
UNKNOWN = ["/ws/fix/ecoh/", "/ws/fix/echo", "/ws/fix/echo/more/", "/ws/fix/", "/ws/other/", "/", "/x"]
UNKNOWN += ["/ws/fix/ec%0Aho/"]  # a line break, as a client may send it: the server decodes the path


@pytest.mark.rule(1)
async def test_a_path_no_route_claims_is_refused_not_crashed(module):
    application = module.application  # imported before the loop is watched: an import is no blocking call of yours
    async with never_blocks(LAG) as watched:
        for path in UNKNOWN:
            communicator = await refused(application, path, RULE)
            communicator.future.cancel()
            if watched.stall is not None:  # a stall in your code, told as the block ends: no need to stall more
                break
    proved("boundaries", len(UNKNOWN))


@pytest.mark.rule(2)
async def test_the_refusing_consumer_ends_once_the_handshake_is_over(module):
    communicator = await refused(module.application, "/ws/fix/ecoh/", RULE, quiet_after=False)
    # After a refused handshake the server sends websocket.disconnect; the consumer must end then.
    try:
        ended = await ends_on_disconnect(communicator, 1006)
    except Exception as error:  # the student's consumer raised
        raise AssertionError(f"after refusing /ws/fix/ecoh/, {crashed(error)}") from None
    assert ended, (
        "the consumer that refused /ws/fix/ecoh/ was still running after websocket.disconnect: it never "
        "ends (Daphne kills it 10 s later, one leaked consumer per refused socket)"
    )


@pytest.mark.rule(3)
async def test_the_echo_route_still_works_for_two_sockets_at_once(module):
    application = module.application
    first, second = (WebsocketCommunicator(application, "/ws/fix/echo/") for _ in range(2))
    async with never_blocks(LAG):
        for communicator in (first, second):
            connected, _ = await communicator.connect(timeout=FRAME)
            assert connected, f"ws/fix/echo/ was refused: the first route that matches a path wins. {RULE}"
        proved("sockets", 2)
        (
            await refused(application, "/ws/fix/ecoh/", RULE)
        ).future.cancel()  # a refused neighbour changes nothing for them
        for text, communicator in (("one", first), ("two", second), ("three", first)):
            await communicator.send_to(text_data=text)
        for text, communicator in (("one", first), ("three", first), ("two", second)):
            got = await answer(communicator)
            assert got == {"type": "websocket.send", "text": text}, (
                f'expected "{text}" back on its own socket of ws/fix/echo/, got {got}'
            )
        await ends_on_disconnect(first)
        await second.send_to(text_data="still here")
        got = await answer(second)
        assert got == {"type": "websocket.send", "text": "still here"}, (
            f"after the other socket left, ws/fix/echo/ answered {got} instead of the echo"
        )
    await close_all(first, second)


@pytest.mark.rule(4)
async def test_a_crash_inside_the_echo_route_stays_a_crash(module):
    communicator = WebsocketCommunicator(module.application, "/ws/fix/echo/")
    connected, _ = await communicator.connect(timeout=FRAME)
    assert connected, f"ws/fix/echo/ was refused: the first route that matches a path wins. {RULE}"
    # An event the echo consumer has no handler for: it raises ValueError, which the server must see.
    await communicator.send_input({"type": "fix.no_such_handler"})
    try:
        got = await next_output(communicator, FRAME)
    except ValueError:
        return  # the server logs the traceback and closes the socket with 1011: the bug is visible
    except TimeoutError:
        got = NOTHING
    raise AssertionError(
        f"ws/fix/echo/'s consumer raised ValueError (no handler for an event), and the socket got {got} instead "
        "of the crash: a try/except ValueError around the router takes every route's bug for an unknown path and "
        "hides it. Refuse unknown paths with a last route that claims them, and let other errors through"
    )


# The standard battery of what this exercise builds (routing), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import test_a_path_with_more_before_or_after_a_route_is_refused  # noqa: E402, F401
