"""Check 11.1: accept a token only in the first frame, within a deadline; one 4401 for every failure.

A valid token gets its user id and cancels the deadline; any other first frame closes 4401; only the first frame
may carry the token; no token is written to a log or the output; frames after a login change nothing; silence
closes 4401 at the deadline, not before; two sockets at once each get their own answer; the deadline ends with
the socket on every path.
"""

import asyncio
import json
import logging
import time

import pytest
from django.core import signing

from auth_demo.tokens import SALT, sign_user_id
from exercises.probes import FRAME, NOTHING, answer, cancelled, close_all, connect, crashed, ends_cancelled
from exercises.probes import ends_on_disconnect, frame, never_blocks, nothing_after_close, nothing_more, proved
from exercises.probes import bad_frames, running_tasks, sockets, target, tasks_left, written_out

CLOSED = {"type": "websocket.close", "code": 4401}
# A close at DEADLINE (made 0.4 s) comes well within; never scaled past half the shipped 10 s, which a fixed 10 s misses.
CLOSE_WAIT = min(FRAME, 5)


def closed(got: object) -> bool:
    """A close with 4401; a "reason" beside it is allowed, if every refusal gives the same one."""
    return isinstance(got, dict) and {k: v for k, v in got.items() if k != "reason"} == CLOSED


# A first frame of every wrong shape (probes.bad_frames without Hypothesis's start-up), an empty one, a forged token
# bare and in place, one nested too deep to decode (RecursionError, not ValueError), a claim instead of a token.
WRONG_SHAPES = ["", "forged", json.dumps({"token": "forged"}), "[" * 100_000, json.dumps({"user_id": 7})]
WRONG_SHAPES = bad_frames("token", "forged", (*WRONG_SHAPES, json.dumps({"token": "forged", "user_id": 7})), 0)


def consumer(monkeypatch, deadline: float = 10.0):
    """The consumer class with a shorter DEADLINE (the exercise's constant, so no test waits 10 s)."""
    cls = target("11.1").FirstFrameTokenConsumer
    monkeypatch.setattr(cls, "DEADLINE", deadline, raising=False)
    return cls.as_asgi()


def expired_token(user_id: int) -> str:
    signer = signing.TimestampSigner(salt=SALT, sep=".")
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - 3600)  # signed an hour ago
    return signer.sign_object({"user": user_id})


async def test_a_valid_token_gets_its_user_id(monkeypatch):
    communicator = await connect(consumer(monkeypatch))
    await communicator.send_json_to({"token": sign_user_id(7)})
    got = await frame(communicator)
    assert got == {"user_id": 7}, f'a valid token for user 7 as the first frame must get {{"user_id": 7}}, got {got}'
    await close_all(communicator)


async def test_a_valid_token_cancels_the_deadline(monkeypatch):
    deadline = 0.1
    while True:  # a busy machine may handle the token after the deadline: then again, with a deadline twice as long
        communicator = await connect(consumer(monkeypatch, deadline))
        await communicator.send_json_to({"token": sign_user_id(7)})
        if not closed(await answer(communicator, FRAME)) or deadline > FRAME:
            break
        communicator.future.cancel()
        deadline *= 2
    assert await nothing_more(communicator, timeout=deadline * 4), (  # its close would come DEADLINE after the connect
        "the socket was closed after a valid token: the first frame must cancel the deadline"
    )
    await close_all(communicator)


async def test_any_other_first_frame_closes_4401(monkeypatch):
    application = consumer(monkeypatch)  # 10 s: only the frame itself can close these sockets in time
    shapes = [*WRONG_SHAPES, json.dumps({"token": expired_token(7)}), json.dumps({"token": sign_user_id(7) + "x"})]
    shapes += [json.dumps({"tokens": sign_user_id(7)}), json.dumps([{"token": sign_user_id(7)}])]  # the wrong shape
    shapes += [json.dumps({"token": sign_user_id(7)}).encode()]  # a binary first frame carries no token

    async def first_frame(text: str | bytes) -> object:
        communicator = await connect(application)  # the event itself: the communicator refuses to send ""
        await communicator.send_input({"type": "websocket.receive", type(text).__name__.replace("str", "text"): text})
        if closed(got := await answer(communicator)):
            await nothing_after_close(communicator, 0.1)
        communicator.future.cancel()
        return got

    # Every shape on a socket of its own, all at once: a first frame decides, so each needs a fresh socket.
    answers = await asyncio.gather(*(first_frame(text) for text in shapes))
    for text, got in zip(shapes, answers, strict=True):
        assert closed(got), (
            f"the first frame {text[:60]!r} carries no valid token: expected a close with 4401, got {got} "
            f"(each frame on a socket of its own, {len(shapes)} sockets open at once)"
        )
    reasons = {got.get("reason"): text for text, got in zip(shapes, answers, strict=True)}  # a frame given each
    assert len(reasons) == 1, (
        f"the refusals gave different close reasons ({'; '.join(f'{r!r} for {t[:40]!r}' for r, t in reasons.items())})"
        ": one answer for every failure, the same 4401 and the same reason (or none), or a prober learns "
        "which part of a forged or expired token was wrong"
    )
    proved("bad frames", len(shapes))


async def test_only_the_first_frame_may_carry_the_token(monkeypatch):
    communicator = await connect(consumer(monkeypatch, 0.2))
    await communicator.send_json_to({"message": "hi"})
    assert closed(await answer(communicator)), "a first frame without a token must close with 4401"
    await communicator.send_json_to({"token": sign_user_id(7)})
    await nothing_after_close(communicator, 0.4)  # nor the deadline's close, DEADLINE (0.2 s) after the connect
    await close_all(communicator)


async def test_no_token_is_written_to_a_log_or_the_output(monkeypatch, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    tokens = [sign_user_id(7), expired_token(8), sign_user_id(9), sign_user_id(11)]
    # The last two as a page with a bug sends them, in frames refused for their shape: bare, not in JSON, and
    # under another key. Each is a real token.
    texts = [json.dumps({"token": token}) for token in tokens[:2]] + [tokens[2], json.dumps({"Token": tokens[3]})]
    for text in texts:
        communicator = await connect(consumer(monkeypatch))
        await communicator.send_to(text_data=text)
        await answer(communicator)
        await close_all(communicator)
    written = written_out(caplog, capsys)
    kinds = ("a valid", "an expired", "a bare (no JSON around it) valid", 'a valid (under "Token")')
    for token, kind in zip(tokens, kinds, strict=True):
        at = written.find(token)
        assert at < 0, (
            f"{kind} token was written to a log or the output: {written[max(at - 100, 0) : at + 20]!r}... A first "
            "frame is the one place no server or proxy logs a token; log that a login failed, never the token itself "
            "nor a refused frame as it came (nor in a record's extra fields, which a JSON or Sentry handler writes)"
        )


async def test_frames_after_a_login_change_nothing(monkeypatch):
    communicator = await connect(consumer(monkeypatch))
    await communicator.send_json_to({"token": sign_user_id(7)})
    assert await frame(communicator) == {"user_id": 7}, "a valid token for user 7 must get {'user_id': 7}"
    for later in ({"token": sign_user_id(9)}, {"message": "hi"}, {"token": "forged"}):
        try:
            await communicator.send_json_to(later)  # raises what the consumer raised, if it crashed on the last one
        except Exception as error:
            pytest.fail(f"after user 7 had logged in, a later frame: {crashed(error)}", pytrace=False)
        got = await answer(communicator, 0.3) if not await nothing_more(communicator, 0.2) else None
        assert got is None, (
            f"user 7 had logged in, then the frame {later} got {got}: only the first frame may carry the token, "
            "so a later token never switches the socket to another user and a later frame never closes it"
        )
    ended = communicator.future.done() and not communicator.future.cancelled() and communicator.future.exception()
    if ended:
        pytest.fail(f"after user 7 had logged in, a later frame: {crashed(ended)}", pytrace=False)
    await close_all(communicator)


async def test_silence_closes_4401_at_the_deadline_not_before(monkeypatch):
    shipped = target("11.1").FirstFrameTokenConsumer.DEADLINE
    assert shipped == 10, f"DEADLINE is {shipped!r}: the exercise asks for 10 seconds of silence before the close"
    communicator = await connect(consumer(monkeypatch, 0.4))
    assert await nothing_more(communicator, timeout=0.2), (
        "the socket was closed long before DEADLINE seconds of silence"
    )
    got = await answer(communicator, CLOSE_WAIT)
    assert closed(got), (
        f"expected a close with 4401 after DEADLINE (0.4 s) of silence, got {'nothing' if got == NOTHING else got} "
        f"within {CLOSE_WAIT:.0f} s: wait DEADLINE, not a fixed time"
    )
    await communicator.send_json_to({"token": sign_user_id(7)})  # too late
    await nothing_after_close(communicator, 0.2)
    await close_all(communicator)
    proved("boundaries", 2)


async def test_two_sockets_at_once_each_get_their_own_answer(monkeypatch):
    async with never_blocks(0.5):  # over a busy machine's hiccups, under a query, a request or time.sleep(1)
        ada, silent, grace = await sockets(consumer(monkeypatch, 0.4), count=3)
        await grace.send_json_to({"token": sign_user_id(9)})
        await ada.send_json_to({"token": sign_user_id(7)})
        got = [await frame(ada), await frame(grace)]
        assert got == [{"user_id": 7}, {"user_id": 9}], (
            f"users 7 and 9 logged in on two sockets at once and got {got}: each socket has its own consumer instance"
        )
        got = await answer(silent, CLOSE_WAIT)
        assert closed(got), f"a third, silent socket must still be closed at its own deadline, got {got}"
        for communicator, name in ((ada, "user 7"), (grace, "user 9")):
            assert await nothing_more(communicator, timeout=0.1), (
                f"{name}'s socket was closed when another socket's deadline came: keep each deadline on its own instance"
            )
        await close_all(ada, silent, grace)


async def test_the_deadline_ends_with_the_socket_on_every_path(monkeypatch):
    application = consumer(monkeypatch)
    before = running_tasks()
    communicator = await connect(application)
    assert await ends_on_disconnect(communicator), (
        "the consumer was still running after websocket.disconnect, until the test cancelled it: with the deadline "
        "cancelled in a finally, websocket_disconnect must still raise StopConsumer() to end the consumer"
    )
    left = await tasks_left(before)
    assert not left, (
        f"{len(left)} task(s) still running after the client left: cancel the deadline when the socket ends"
    )
    before = running_tasks()
    communicator = await connect(application)
    await cancelled(communicator)
    left = await tasks_left(before)
    assert not left, (
        f"{len(left)} task(s) still running after the server cancelled the consumer (no websocket.disconnect "
        "comes then, as at a Daphne shutdown): the deadline must end on every path out of the consumer"
    )
    communicator = await connect(consumer(monkeypatch, 0.2))
    await cancelled(communicator)
    await asyncio.sleep(0.6)  # well past the deadline, on a busy machine too
    late = None if communicator.output_queue.empty() else communicator.output_queue.get_nowait()
    assert late is None, (
        f"the server cancelled the consumer, and DEADLINE (0.2 s) later it still sent {late}, after the consumer had "
        "ended: the deadline must end on every path out of the consumer, a timer (call_later) as well as a task"
    )
    await ends_cancelled(application)  # and the cancellation itself goes on, once the deadline is cancelled
