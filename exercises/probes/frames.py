"""Frames a consumer must refuse, and a message it must pass on unchanged."""

import json
from collections.abc import Awaitable
from functools import cache

import pytest

from exercises.probes.waits import NOTHING, frame, nothing_more


def examples(strategy, count: int = 30) -> list:
    """`count` values drawn by Hypothesis from `strategy`, the same on every run (no example database)."""
    from hypothesis import HealthCheck, Phase, given, settings

    found = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value):
        found.append(value)

    collect()
    return found


def json_values():
    """A Hypothesis strategy for every JSON value: null, booleans, numbers, text (multi-byte too), lists, objects."""
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=6,
    )


def bad_frames(key: str, good: object = "hello", extra: tuple = (), generated: int = 20) -> list[str]:
    """Text frames a consumer expecting {key: <a string like `good`>} must refuse: every shape but the right one.

    Not JSON, every JSON type in place of the object, an object without the key,
    the key with every wrong type and empty, multi-byte and escaped text, and
    `generated` JSON values drawn by Hypothesis (0: none, and no Hypothesis
    import); `extra` adds the exercise's own. Drawn once per process. No empty
    frame: WebsocketCommunicator.send_to cannot send one (send_input can).
    """
    return list(_bad_frames(key, json.dumps(good), tuple(extra), generated))


@cache
def _bad_frames(key: str, good_json: str, extra: tuple, generated: int) -> tuple[str, ...]:
    good = json.loads(good_json)
    shapes = [" ", "not json", "{", '{"' + key + '": ', "[1, 2", "nan", "NaN", "\u00e9t\u00e9"]
    shapes += [
        json.dumps(v) for v in (None, True, False, 0, 1, -1.5, 1e308, "text", "", [], [key], {}, {"other": good})
    ]
    shapes += [json.dumps({key: v}) for v in (None, True, 1, 2.5, [], [good], {}, {"x": good}, "")]
    shapes += ['{"' + key + '": "\\ud800"}']  # a lone surrogate: valid JSON text, no UTF-8 string
    if generated:
        from hypothesis import strategies as st

        def right(value) -> bool:
            return isinstance(value, dict) and isinstance(value.get(key), str) and bool(value.get(key))

        never_a_text = json_values().filter(lambda v: not (isinstance(v, str) and v))  # an empty one may stay
        strategy = json_values().filter(lambda v: not right(v)) | st.fixed_dictionaries({key: never_a_text})
        shapes += [json.dumps(v) for v in examples(strategy, generated)]
    return tuple(dict.fromkeys([*shapes, *extra]))


def is_error(got: object) -> bool:
    """True if `got` (a decoded frame) is {"error": <a string>}, more keys allowed: a refusal told to its client."""
    return isinstance(got, dict) and isinstance(got.get("error"), str)


async def hears(who: dict, expected: list, why: str = "") -> None:
    """Each socket of `who` ({name: communicator}) receives the frames `expected`, in order; else fail, saying `why`."""
    for name, communicator in who.items():
        heard = [await frame(communicator) for _ in expected]
        said, got = " then ".join(map(json.dumps, expected)), " then ".join(map(str, heard))
        assert heard == expected, f"expected {said} on {name}'s socket, got {got}{why}"


async def overheard(communicator, timeout: float = 0.1) -> object:
    """What a socket that must stay quiet received within `timeout`: NOTHING, or the frame that reached it."""
    return NOTHING if await nothing_more(communicator, timeout) else await frame(communicator)


async def next_frames(communicator, count: int) -> list:
    """The next `count` frames `communicator` receives, decoded (NOTHING for each that did not come)."""
    return [await frame(communicator) for _ in range(count)]


async def drain(*communicators, quiet: float = 0.2) -> list:
    """Read whatever the sockets were sent until each has been quiet for `quiet` seconds: those frames, in order."""
    got = []
    for communicator in communicators:
        while not await nothing_more(communicator, quiet):
            got.append(await frame(communicator))
    return got


async def refused_with_error(communicator, text: str | bytes, others=()) -> dict:
    """Send one bad frame: the sender gets {"error": <text>}, the socket stays open, no other socket hears a thing."""
    binary = isinstance(text, bytes)  # a binary frame: its event has "bytes" and no "text" key, as Daphne sends it
    await communicator.send_to(**{"bytes_data" if binary else "text_data": text})
    got = await frame(communicator)
    hint = ': a binary frame carries "bytes" and no "text" key at all, so read the text with event.get("text")'
    assert isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"], (
        f'bad input {text[:60]!r} must get {{"error": "<why>"}} on its own socket, got {got}{hint if binary else ""}'
    )
    for other in others:
        assert await nothing_more(other, 0.05), f"bad input {text[:60]!r} reached another socket"
    return got


async def told_on_its_frame(answer: Awaitable, which: str) -> object:
    """What `answer` reads; if the consumer crashed on the way, the check fails naming the frame that did it.

    `which` names the frame ("a binary frame (0 bytes: b'')"): a crash reported as "on <which>: <crash>"
    points the student at the input, not only at their traceback.
    """
    try:
        return await answer
    except pytest.fail.Exception as crash:  # outside the except below: no "during handling" chain in the message
        failed = crash
    pytest.fail(f"on {which}: {failed}", pytrace=False)


def tally(replies: list) -> str:
    """How many times each answer came: '5 x {"error": "a"}, 5 x {"error": "b"}'."""
    from collections import Counter

    return ", ".join(f"{n} x {answer}" for answer, n in Counter(json.dumps(r) for r in replies).items())


def login_bad_frames() -> list[str]:
    """Frames a login expecting {"username": "...", "password": "..."} must refuse: every shape but that one."""
    frames = ["not json", "{", *map(json.dumps, (None, True, 0, -1.5, "ada", [], ["ada", "pw"], {}))]
    frames += [json.dumps(shape) for shape in ({"username": "ada"}, {"password": "pw"}, {"other": "ada"})]
    frames += [json.dumps({"username": value, "password": "pw"}) for value in (None, 1, ["ada"], {"x": "ada"})]
    frames += [json.dumps({"username": "ada", "password": value}) for value in (None, 1.5, ["pw"], True)]
    return frames + ['{"username": "\\ud800", "password": "pw"}', '{"username": "ada", "password": "\\udfff"}']


# A chat message as a client may send it: spaces around it, capitals, markup, an ampersand, line breaks, emoji (one
# beyond the BMP). Check 06.2's announcement, made a probe: a room passes it on unchanged, never trimmed, escaped or
# lower-cased (students' fresh mistakes: a lower() on the way passed every check while this text had no capital).
AS_SENT = "  Tea & cake <b>NOW</b>:\n\u2615 at 5 \U0001f389\n"


def passed_on_unchanged(got: object, who: str, sent: str = AS_SENT) -> None:
    """Fail with a sentence unless `got` (a decoded frame) is {"message": sent}, more keys allowed."""
    message = got.get("message") if isinstance(got, dict) else got
    assert message == sent, (
        f"{sent!r} was sent to the room and {who}'s socket received {got}: a room passes a message on as it was "
        "sent, its spaces, capitals, line breaks, <, & and emoji too; escaping is the job of the page that shows it "
        "(textContent, Django's templates), and trimming is no one's"
    )
