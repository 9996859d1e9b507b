"""Check 09.1: the student's test passes on correct echoes and fails on each broken one (mutation checking).

The task's rules, in its order: 1. your test passes on a correct echo, async and sync; 2. disconnecting every socket it
opens; 3. it fails on each broken echo of BROKEN (each says what is wrong with it); 4. when it fails, it still ends its
sockets (and the battery's own broken consumers); 5. (the battery) nothing sets DJANGO_ALLOW_ASYNC_UNSAFE. The echoes it
runs on, correct and broken, are in probes.py beside it.
"""

import pytest

from exercises.probes import load, on_a_correct_consumer, proved, your_test_disconnects_every_socket
from exercises.probes import your_test_fails_and_ends_its_sockets
from .probes import BROKEN, CORRECT, Shouts, forget_the_sockets_on_classes

RULE = "test_echo(consumer) must pass on a correct echo and raise AssertionError on a broken one"


def your_test():
    return load("09.1", RULE).test_echo


@pytest.mark.rule(1)
@pytest.mark.parametrize("correct", CORRECT, ids=lambda c: c.__name__)
async def test_your_test_passes_on_a_correct_echo(correct):
    try:
        await on_a_correct_consumer(your_test(), correct)
    except Exception as error:  # the student's own assertion, a timeout, or a mistake in the test itself
        pytest.fail(
            f"your test failed on {correct.__name__}, a correct echo ({type(error).__name__}: {error}): "
            "assert only what every correct echo does",
            pytrace=False,
        )


@pytest.mark.rule(2)
@pytest.mark.parametrize("correct", CORRECT, ids=lambda c: c.__name__)
async def test_your_test_disconnects_every_socket_it_opens(correct):
    await your_test_disconnects_every_socket(your_test(), correct)


@pytest.mark.rule(3)
@pytest.mark.parametrize("broken", list(BROKEN), ids=lambda c: c.__name__)
async def test_your_test_fails_on_a_broken_echo(broken):
    forget_the_sockets_on_classes()
    try:
        await your_test()(broken)
    except (AssertionError, TimeoutError):
        proved("broken echoes", 1)
        return
    pytest.fail(f"your test passed on {broken.__name__}, a broken echo: {BROKEN[broken]}", pytrace=False)


@pytest.mark.rule(4)
async def test_your_test_ends_its_sockets_when_it_fails_too():
    await your_test_fails_and_ends_its_sockets(your_test(), Shouts, BROKEN[Shouts])


# The standard battery of what this exercise builds (a test), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import test_your_test_fails_with_an_assertion_and_ends_its_sockets  # noqa: E402, F401
