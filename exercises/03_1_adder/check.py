"""Check 03.1: a JSON consumer that adds two numbers, per socket, and answers every bad frame with an error."""

import json

import pytest

from exercises.probes import (
    NOTHING,
    close_all,
    never_blocks,
    nothing_more,
    proved,
    sockets,
    target,
)
from exercises.probes import text_frame as frame  # a frame whose text is bytes is named, not decoded

MAX = 1.7976931348623157e308  # the largest double: still a JSON number a browser reads back
SUMS = [(2, 3.5), (-1, 1), (0, 0), (0.1, 0.2), (10**15, 1), (-2.5, -2.5), (MAX, 0), (1e307, 1e307)]
WRONG_NUMBERS = ["true", "false", "null", '"1"', '"one"', '""', "[2]", '{"n": 2}', "[]"]
# Every shape of frame but an object (bad_frames' fixed shapes, without its Hypothesis draw, which costs seconds).
NOT_OBJECTS = [" ", "not json", "{", '{"a": ', "[1, 2", "nan", "été", "[" * 100_000]
NOT_OBJECTS += [json.dumps(v) for v in (None, True, False, 0, 1, -1.5, 1e308, "text", "", [], ["a"], [1, 2])]
NOT_OBJECTS += ['"{\\"a\\": 1, \\"b\\": 2}"', '[{"a": 1, "b": 2}]', '"\\ud800"']
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


def app():
    return target("03.1").AdderConsumer.as_asgi()


async def adds(communicator, a, b, where: str = "") -> None:
    await communicator.send_json_to({"a": a, "b": b})
    got = await frame(communicator)
    assert got == {"sum": a + b}, f'{where}{{"a": {a}, "b": {b}}}: expected {{"sum": {a + b}}}, got {got}'


async def refused(communicator, other, text: str | bytes, rule: str) -> None:
    """`text` gets {"error": ...} on its own socket and nothing on the other; the socket then still adds."""
    if isinstance(text, bytes):  # the raw event, as Daphne sends it: send_to() refuses b"", a client may send it
        await communicator.send_input({"type": "websocket.receive", "bytes": text})
    else:
        await communicator.send_to(text_data=text)
    try:
        got = await frame(communicator)
    except pytest.fail.Exception as crash:  # a crash: say which frame it was
        got = crash
    if isinstance(got, pytest.fail.Exception):
        empty = ' (an empty binary frame: bytes_data b"" is falsy, so `if bytes_data:` misses it; text_data is None)'
        pytest.fail(f"on the frame {text[:70]!r}{empty if text == b'' else ''}: {got}", pytrace=False)
    assert isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"] and "sum" not in got, (
        f'{text[:70]!r}: expected {{"error": "<why>"}} on its own socket, got {got}: {rule}'
    )
    assert await nothing_more(other, 0.02), f"{text[:70]!r}: bad input on one socket reached another socket"
    await communicator.send_json_to({"a": 1, "b": 1})
    got = await frame(communicator)
    assert got == {"sum": 2}, (
        f'{text[:70]!r}: after an error frame the socket stays open and keeps adding: expected {{"sum": 2}} '
        f'for {{"a": 1, "b": 1}}, got {got}'
    )


async def test_two_numbers_come_back_as_their_sum():
    (communicator,) = await sockets(app(), count=1)
    async with never_blocks():
        for a, b in SUMS:
            await adds(communicator, a, b)
    await close_all(communicator)
    proved("boundaries", 2)


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


async def test_frames_that_are_not_a_json_object_get_an_error():
    frames = [*NOT_OBJECTS, b"\x00", b'{"a": 1, "b": 2}', b""]
    first, second = await sockets(app(), count=2)
    async with never_blocks():
        for text in frames:
            await refused(first, second, text, 'the frame must be a JSON object {"a": <number>, "b": <number>}')
    await close_all(first, second)
    proved("bad frames", len(frames))


async def test_a_missing_or_non_number_a_or_b_gets_an_error():
    frames = ["{}", '{"a": 1}', '{"b": 2}', '{"a": 1, "c": 2}', '{"A": 1, "B": 2}']
    frames += [f'{{"a": {v}, "b": 2}}' for v in WRONG_NUMBERS] + [f'{{"a": 2, "b": {v}}}' for v in WRONG_NUMBERS]
    frames += ['{"a": 1, "b": 2, "a": "1"}', '{"a": "\\ud800", "b": 1}', '{"": 1, "a ": 2, "b": []}']
    first, second = await sockets(app(), count=2)
    async with never_blocks():
        for text in frames:
            await refused(
                first, second, text, 'a and b must both be numbers: true, false, null, "1" and lists are not numbers'
            )
    await close_all(first, second)
    proved("bad frames", len(frames))


async def test_nan_infinity_and_overflowing_sums_get_an_error():
    first, second = await sockets(app(), count=2)
    async with never_blocks():
        for text in NO_JSON_NUMBER:
            await refused(
                first,
                second,
                text,
                "NaN, Infinity and numbers or sums beyond a double's range (below zero too) have no JSON form "
                "(a browser's JSON.parse refuses NaN and Infinity): they are bad input, not a sum; check a and b "
                "each, not only their sum",
            )
    await close_all(first, second)
    proved("boundaries", len(NO_JSON_NUMBER))
