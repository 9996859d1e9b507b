"""Check 11.1: accept a token only in the first frame, within a deadline; one 4401 for every failure.

The task's rules, in its order: 1. a valid token gets its user id and cancels its own deadline only (two sockets at
once); 2. any other first frame closes 4401, one close for all; 3. only the first frame may carry the token: a later
frame gets the same user id again, nothing follows a 4401; 4. silence closes 4401 at DEADLINE, not before; 5. no
token is written to a log or the output; 6. the deadline ends with the socket on every path; 7. a bad frame stays on
its socket; 8. DJANGO_ALLOW_ASYNC_UNSAFE stays unset. The battery (exercises/battery/, exercise.toml) proves 2, 6-8.
"""

import asyncio
import json
import time

import pytest

from auth_demo.tokens import sign_user_id
from exercises.probes import FRAME, answer, bad_frames, close_all, connect, frame, never_blocks, nothing_after_close
from exercises.probes import nothing_more, proved, shown_part, written_out
from exercises.probes.tokens_and_middleware import closed, deadline_ends_on_every_path, expired_token, first_frame
from exercises.probes.tokens_and_middleware import two_logins_and_a_silence

EXERCISE, RULE = "11.1", "Only the first frame may carry the token, within DEADLINE seconds; every failure closes 4401"
CLOSE_WAIT = min(FRAME, 5)  # 5 s: half the shipped DEADLINE


@pytest.fixture
def consumer(module, monkeypatch):
    """consumer(deadline): FirstFrameTokenConsumer.as_asgi() with that DEADLINE (10 s unless told: none waits it)."""
    cls = module.FirstFrameTokenConsumer
    return lambda deadline=10.0: monkeypatch.setattr(cls, "DEADLINE", deadline, raising=False) or cls.as_asgi()


@pytest.mark.rule(1)
async def test_a_valid_token_gets_its_user_id_and_cancels_only_its_own_deadline(consumer):
    async with never_blocks(0.5):  # over a busy machine's hiccups, under a query, a request or time.sleep(1)
        (ada, silent, grace), got, deadline = await two_logins_and_a_silence(consumer, (0.4, CLOSE_WAIT / 2))
        assert got == [{"user_id": 7}, {"user_id": 9}], (
            f'a valid token as the first frame must get {{"user_id": <its user>}}: users 7 and 9, on two sockets at '
            f"once, got {got} (each socket has its own consumer instance)"
        )
        got = await answer(silent, CLOSE_WAIT)
        assert closed(got), f"a third socket must be closed after DEADLINE ({deadline} s) of silence, got {got}"
        for communicator, name in ((ada, "user 7"), (grace, "user 9")):
            assert await nothing_more(communicator, 0.1), (
                f"{name}'s socket was closed after a valid token: cancel the deadline, its socket's own (on self)"
            )
        await close_all(ada, silent, grace)


# Wrong shapes, empty, forged (bare, in place), too deep to decode (RecursionError), a claimed user_id (alone, beside)
FORGED = ("", "forged", '{"token": "forged"}', "[" * 100_000, '{"user_id": 7}', '{"token": "forged", "user_id": 7}')


@pytest.mark.rule(2)
async def test_any_other_first_frame_closes_4401(consumer):
    application, token = consumer(FRAME * 3), sign_user_id(7)  # longer than any wait: only the frame can close these
    wrong = ({"token": expired_token(7)}, {"token": token + "x"}, {"tokens": token}, [{"token": token}])
    binary = json.dumps({"token": token}).encode()  # a valid token in a binary frame: no text, so no token
    shapes = [*bad_frames("token", "forged", FORGED, 0), *map(json.dumps, wrong), binary]
    opened = await asyncio.gather(*(first_frame(application, text) for text in shapes))
    for text, (_, got) in zip(shapes, opened, strict=True):
        assert closed(got), (
            f"the first frame {text[:60]!r} carries no valid token: expected a close with 4401, got {got} "
            f"(each frame on a socket of its own, {len(shapes)} sockets open at once)"
        )
    reasons = {got.get("reason"): text for text, (_, got) in zip(shapes, opened, strict=True)}  # a frame each
    assert len(reasons) == 1, (
        f"the refusals gave different close reasons ({'; '.join(f'{r!r} for {t[:40]!r}' for r, t in reasons.items())})"
        ": one answer for every failure, the same 4401 and reason (or none), or a prober learns which part was wrong"
    )
    await close_all(*(communicator for communicator, _ in opened))
    proved("bad frames", len(shapes))


@pytest.mark.rule(5)
async def test_no_token_is_written_to_a_log_or_the_output(consumer, caplog, capsys):
    caplog.set_level("DEBUG")
    # Each a real token; the last two as a page with a bug sends them, refused for their shape: bare, another key.
    sent = {"a valid": '{"token": "%s"}', "an expired": '{"token": "%s"}', "a bare (no JSON around it) valid": "%s"}
    sent['a valid (under "Token")'] = '{"Token": "%s"}'
    tokens = {kind: (expired_token if "expired" in kind else sign_user_id)(n) for n, kind in enumerate(sent, 7)}
    for kind, token in tokens.items():
        await close_all((await first_frame(consumer(), sent[kind] % token))[0])
    written = written_out(caplog, capsys)
    for kind, token in tokens.items():  # whole, or 8 characters of it in a row: a line cut short shows its start
        assert (at := written.find(shown_part(written, token, 8) or token)) < 0, (
            f"{kind} token, whole or 8 characters of it in a row, was written to a log or the output: "
            f"{written[max(at - 100, 0) : at + 20]!r}... A first "
            "frame is the one place no server or proxy logs a token; log that a login failed, never the token itself, "
            "nor its start, nor a refused frame as it came, cut short or whole (nor in a record's extra fields)"
        )


@pytest.mark.rule(3)
async def test_only_the_first_frame_may_carry_the_token(consumer):
    refused, got = await first_frame(consumer(0.2), '{"message": "hi"}')
    assert closed(got), "a first frame without a token must close with 4401"
    await refused.send_json_to({"token": sign_user_id(7)})
    await nothing_after_close(refused, 0.4)  # nor the deadline's close, DEADLINE (0.2 s) after the connect
    communicator, got = await first_frame(consumer(), json.dumps({"token": sign_user_id(7)}))
    assert got == {"user_id": 7}, f"a valid token for user 7 must get {{'user_id': 7}}, got {got}"
    texts = (json.dumps({"token": sign_user_id(9)}), '{"message": "hi"}', '{"token": "forged"}', "not JSON")
    for later in (*texts, b"\x00"):  # each answer waited for: a right consumer answers at once
        await communicator.send_input({"type": "websocket.receive", type(later).__name__.replace("str", "text"): later})
        got = await frame(communicator)
        assert got == {"user_id": 7}, (
            f"user 7 had logged in, then the frame {later!r} got {got}: only the first frame may carry the token, so "
            'a later frame, whatever it holds, gets {"user_id": 7} again ("who am I?", as lesson 11\'s consumer '
            "answers): never another user's id, never a close"
        )
    await close_all(refused, communicator)  # a crash on the last frame fails here


@pytest.mark.rule(4)
async def test_silence_closes_4401_at_the_deadline_not_before(module, consumer):
    assert (shipped := module.FirstFrameTokenConsumer.DEADLINE) == 10, f"DEADLINE is {shipped!r}: keep the 10 s"
    started, communicator = time.monotonic(), await connect(consumer(0.4))  # asyncio's clock, before the deadline
    assert closed(got := await answer(communicator, CLOSE_WAIT)), (
        f"expected a close with 4401 after DEADLINE (0.4 s) of silence, got {got}: wait DEADLINE, not a fixed time"
    )
    assert (waited := time.monotonic() - started) >= 0.39, f"closed {waited:.2f} s after opening, before DEADLINE"
    await communicator.send_json_to({"token": sign_user_id(7)})  # too late
    await nothing_after_close(communicator, 0.2)
    await close_all(communicator)
    proved("boundaries", 2)


@pytest.mark.rule(6)
async def test_the_deadline_ends_with_the_socket_on_every_path(consumer):
    await deadline_ends_on_every_path(consumer)


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
