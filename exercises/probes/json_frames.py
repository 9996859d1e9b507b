"""JSON frames a check sends one at a time: a bad one refused on its own socket, and the socket still answering after.

Check 03.1's adder, made a probe: a frame of any shape (text, or bytes as a client's binary frame, the empty one
too) gets {"error": "<why>"} on the socket that sent it, nothing on any other, and the next right frame its answer.
"""

import json

import pytest

from exercises.probes.waits import frame, nothing_more

EMPTY_BINARY = ' (an empty binary frame: bytes_data b"" is falsy, so `if bytes_data:` misses it; text_data is None)'


async def sent(communicator, text: str | bytes) -> None:
    """`text` as a client sends it: a str in a text frame, bytes in a binary one (b"" too, which send_to() refuses).

    A binary frame goes as the raw event Daphne sends, {"type": "websocket.receive", "bytes": ...}, with no "text"
    key at all: a consumer that reads event["text"] meets it as a client's browser would make it.
    """
    if isinstance(text, bytes):
        await communicator.send_input({"type": "websocket.receive", "bytes": text})
    else:
        await communicator.send_to(text_data=text)


async def refused(communicator, other, text: str | bytes, rule: str, then: tuple[dict, dict, str]) -> None:
    """`text` gets {"error": ...} on its own socket and nothing on `other`; the socket then still answers.

    `then` is (a right frame, its answer, what the socket does: "adding"): an error must not close the
    socket nor break it. A crash is told with the frame that caused it, the empty binary frame named.
    """
    await sent(communicator, text)
    try:
        got = await frame(communicator)
    except pytest.fail.Exception as crash:  # a crash: say which frame it was
        got = crash
    if isinstance(got, pytest.fail.Exception):
        pytest.fail(f"on the frame {text[:70]!r}{EMPTY_BINARY if text == b'' else ''}: {got}", pytrace=False)
    right, answer, doing = then  # an error frame holds none of the answer's keys: {"error": ..., "sum": 0} is both
    assert isinstance(got, dict) and isinstance(got.get("error"), str) and got["error"] and not answer.keys() & got, (
        f'{text[:70]!r}: expected {{"error": "<why>"}} on its own socket, got {got}: {rule}'
    )
    assert await nothing_more(other, 0.02), f"{text[:70]!r}: bad input on one socket reached another socket"
    await communicator.send_json_to(right)
    got = await frame(communicator)
    assert got == answer, (
        f"{text[:70]!r}: after an error frame the socket stays open and keeps {doing}: expected {json.dumps(answer)} "
        f"for {json.dumps(right)}, got {got}"
    )
