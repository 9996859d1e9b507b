"""Check 09.3 (fix): the student's test routes the consumer (URLRouter puts url_route in the scope), and can fail.

The task's rules, in its order: 1. your test passes on every correct room consumer (its JSON spaced or not); 2. it
disconnects every socket it opens; 3. it fails on each broken one (the room in capitals, kept on the class, the whole
path, no greeting, a binary frame); 4. when it fails, it still ends its sockets (and the battery's own broken
consumers); 5. (the battery) nothing sets DJANGO_ALLOW_ASYNC_UNSAFE. The consumers it runs on, correct and broken,
are in probes.py beside it.
"""

import pytest

from exercises.probes import load, proved, your_test_fails_and_ends_its_sockets
from .probes import BROKEN, CORRECT, SOCKETS, GreetsInCapitals, RoomGreeter
from .probes import crash_or_unawaited_told, forget_the_rooms_on_classes

RULE = 'scope["url_route"] is put there by the router that matched the URL: test the consumer as the project serves it'
PROVES_NOTHING = "a test that cannot fail proves nothing"


async def run_your_test(consumer) -> None:
    await crash_or_unawaited_told(load("09.3", RULE).test_the_room_greets_its_client, consumer, RULE)


@pytest.mark.rule(1)
@pytest.mark.parametrize("correct", CORRECT)
async def test_your_test_passes_on_a_correct_room_consumer(correct):
    try:
        await run_your_test(correct)
    except Exception as error:  # the student's own assertion, a timeout, or a mistake in the test itself
        pytest.fail(
            f"your test failed on {correct.__name__}, a correct room consumer ({type(error).__name__}: {error}): "
            "assert only what every correct consumer does: compare the decoded object (receive_json_from()), not text",
            pytrace=False,
        )


@pytest.mark.rule(2)
async def test_your_test_disconnects_every_socket_it_opens():
    SOCKETS.update(opened=0, disconnected=0)
    await run_your_test(RoomGreeter)
    assert not (never := SOCKETS["opened"] - SOCKETS["disconnected"]), (
        f"{never} of the {SOCKETS['opened']} consumer(s) your test started never got a disconnect: they were still "
        "running after your test, until the thrown-away communicator cancelled them. A test ends every socket it opened"
    )


@pytest.mark.rule(3)
@pytest.mark.parametrize("broken", list(BROKEN))
async def test_your_test_fails_on_a_broken_room_consumer(broken):
    forget_the_rooms_on_classes()
    try:
        await run_your_test(broken)
    except (AssertionError, TimeoutError):
        return proved("broken consumers", 1)
    pytest.fail(f"your test passed on {broken.__name__} ({BROKEN[broken]}): {PROVES_NOTHING}", pytrace=False)


@pytest.mark.rule(4)
async def test_your_test_ends_its_sockets_when_it_fails_too():
    await your_test_fails_and_ends_its_sockets(run_your_test, GreetsInCapitals, BROKEN[GreetsInCapitals])


# The standard battery of what this exercise builds (a test), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import test_your_test_fails_with_an_assertion_and_ends_its_sockets  # noqa: E402, F401
