"""Check 03.1: a JSON consumer that adds two numbers, per socket, and answers every bad frame with an error.

The task's rules, in its order: 1 two numbers come back as their sum, two sockets each get their own sums; 2 a frame
that is not a JSON object, 3 a missing or non-number a or b, 4 NaN, Infinity or a number or sum beyond a double's
range each get {"error": ...} on their own socket only, which then still adds; 6 the loop never stalls (never_blocks
around each test). Then the standard battery ([battery.rules] names each behaviour's rule).
"""

import pytest

import json
import math

from exercises.probes import NOTHING, close_all, never_blocks, proved, sockets, target
from exercises.probes import text_frame as frame  # a frame whose text is bytes is named, not decoded
from exercises.probes.json_frames import refused


def app():
    return target("03.1").AdderConsumer.as_asgi()


async def adds(communicator, a, b, where: str = "") -> None:
    await communicator.send_json_to({"a": a, "b": b})
    got = await frame(communicator)
    assert got == {"sum": a + b}, f'{where}{{"a": {a}, "b": {b}}}: expected {{"sum": {a + b}}}, got {got}'


MAX = 1.7976931348623157e308  # the largest double: still a JSON number a browser reads back
SUMS = [(2, 3.5), (-1, 1), (0, 0), (0.1, 0.2), (10**15, 1), (-2.5, -2.5), (MAX, 0), (1e307, 1e307)]


@pytest.mark.rule(1, 6)
async def test_two_numbers_come_back_as_their_sum():
    (communicator,) = await sockets(app(), count=1)
    async with never_blocks():
        for a, b in SUMS:
            await adds(communicator, a, b)
    await close_all(communicator)
    proved("boundaries", 2)


@pytest.mark.rule(1, 6)
async def test_two_sockets_each_get_their_own_sums():
    first, second = await sockets(app(), count=2)
    async with never_blocks():
        for a, b in SUMS[:4]:  # interleaved: one sum on each socket in turn
            await adds(first, a, b, "first socket, ")
            await adds(second, b, a * 3, "second socket, ")
        for communicator, name in ((first, "first"), (second, "second")):
            assert await frame(communicator, 0.05) == NOTHING, (
                f"the {name} socket received a frame it never asked for: each socket gets only its own answers"
            )
    await close_all(first, second)


STILL_ADDS = ({"a": 1, "b": 1}, {"sum": 2}, "adding")  # what a socket answers after each error frame
NOT_AN_OBJECT = 'the frame must be a JSON object {"a": <number>, "b": <number>}'
# Every shape of frame but an object (bad_frames' fixed shapes, without its Hypothesis draw, which costs seconds).
NOT_OBJECTS = [" ", "not json", "{", '{"a": ', "[1, 2", "nan", "été", "[" * 100_000]
NOT_OBJECTS += [json.dumps(v) for v in (None, True, False, 0, 1, -1.5, 1e308, "text", "", [], ["a"], [1, 2])]
NOT_OBJECTS += ['"{\\"a\\": 1, \\"b\\": 2}"', '[{"a": 1, "b": 2}]', '"\\ud800"']


@pytest.mark.rule(2, 6)
async def test_frames_that_are_not_a_json_object_get_an_error():
    frames = [*NOT_OBJECTS, b"\x00", b'{"a": 1, "b": 2}', b""]
    first, second = await sockets(app(), count=2)
    async with never_blocks():
        for text in frames:
            await refused(first, second, text, NOT_AN_OBJECT, STILL_ADDS)
    await close_all(first, second)
    proved("bad frames", len(frames))


NOT_NUMBERS = 'a and b must both be numbers: true, false, null, "1" and lists are not numbers'
WRONG_NUMBERS = ["true", "false", "null", '"1"', '"one"', '""', "[2]", '{"n": 2}', "[]"]


@pytest.mark.rule(3, 6)
async def test_a_missing_or_non_number_a_or_b_gets_an_error():
    frames = ["{}", '{"a": 1}', '{"b": 2}', '{"a": 1, "c": 2}', '{"A": 1, "B": 2}']
    frames += [f'{{"a": {v}, "b": 2}}' for v in WRONG_NUMBERS] + [f'{{"a": 2, "b": {v}}}' for v in WRONG_NUMBERS]
    frames += ['{"a": 1, "b": 2, "a": "1"}', '{"a": "\\ud800", "b": 1}', '{"": 1, "a ": 2, "b": []}']
    first, second = await sockets(app(), count=2)
    async with never_blocks():
        for text in frames:
            await refused(first, second, text, NOT_NUMBERS, STILL_ADDS)
    await close_all(first, second)
    proved("bad frames", len(frames))


NO_JSON_FORM = (
    "NaN, Infinity and numbers beyond a double's range (below zero too) have no JSON form (a browser's JSON.parse "
    "refuses NaN and Infinity): they are bad input, not a sum; check a and b each, not only their sum"
)
SUM_OVERFLOWS = (
    "a and b are each a double here, and their sum is not: it is beyond a double's range, below zero as above "
    "(-1e308 + -1e308 is -inf), and has no JSON form; check the sum too, not only a and b, at both ends "
    "(math.isfinite; float() of an integer sum may raise OverflowError)"
)


def a_double(value) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def why_no_sum(text: str) -> str:
    """The advice for a frame of NO_JSON_NUMBER: a or b itself has no JSON form, or only their sum has none."""
    content = json.loads(text)
    return SUM_OVERFLOWS if a_double(content["a"]) and a_double(content["b"]) else NO_JSON_FORM


NO_JSON_NUMBER = [
    '{"a": NaN, "b": 1}',
    '{"a": 1, "b": Infinity}',
    '{"a": -Infinity, "b": 1}',
    '{"a": 1e400, "b": 1}',  # json.loads makes it inf
    '{"a": 1e308, "b": 1e308}',  # each a double, the sum overflows to inf
    '{"a": -1e308, "b": -1e308}',  # and to -inf: a check of `total > sys.float_info.max` misses it
    f'{{"a": {MAX}, "b": {MAX}}}',
    '{"a": 1' + "0" * 400 + ', "b": 1}',  # an integer no double holds
    '{"a": 1' + "0" * 308 + ', "b": 1' + "0" * 308 + "}",  # each integer a double, their sum none
    '{"a": 1' + "0" * 400 + ', "b": -1' + "0" * 400 + "}",  # no double either, though their sum (0) is one
]


@pytest.mark.rule(4, 6)
async def test_nan_infinity_and_overflowing_sums_get_an_error():
    first, second = await sockets(app(), count=2)
    async with never_blocks():
        for text in NO_JSON_NUMBER:
            await refused(first, second, text, why_no_sum(text), STILL_ADDS)
    await close_all(first, second)
    proved("boundaries", len(NO_JSON_NUMBER))


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
)
