"""Check 03.3 (fix): in an async consumer every send is awaited, in order."""

import gc
import warnings

from channels.testing import WebsocketCommunicator

from exercises.checks import NOTHING, answer
from exercises.checks.fixlab import load

RULE = "In an async consumer, await every self.send(...): an un-awaited coroutine never runs"


async def exchange(frames: list[str]) -> tuple[list, list[str]]:
    """What the consumer answered to `frames` (NOTHING once it fell silent), and what Python warned of meanwhile."""
    answers = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        communicator = WebsocketCommunicator(load("03.3", RULE).PoliteEchoConsumer.as_asgi(), "/")
        assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
        try:
            for frame in frames:
                await communicator.send_to(text_data=frame)
            while len(answers) < len(frames) and NOTHING not in answers:
                answers.append(await answer(communicator))
            if NOTHING not in answers:
                await communicator.disconnect()
        except Exception as error:  # the student's consumer crashed
            raise AssertionError(
                f"the consumer crashed: {type(error).__name__}: {str(error).rstrip('.')}. {RULE}"
            ) from error
        gc.collect()  # a thrown-away coroutine warns when it is collected
    return answers, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


async def test_a_text_frame_is_answered_politely():
    answers, runtime_warnings = await exchange(["hello"])
    if answers[0] == NOTHING and runtime_warnings:
        raise AssertionError(f"no answer, and Python warned: RuntimeWarning: {runtime_warnings[0]}. {RULE}")
    assert answers[0] == {"type": "websocket.send", "text": "you said: hello"}, (
        f'expected "you said: hello", got {answers[0]}'
    )


async def test_answers_come_in_the_order_of_the_frames():
    answers, _ = await exchange(["first", "second"])
    texts = [a.get("text") if isinstance(a, dict) else a for a in answers]
    assert texts == ["you said: first", "you said: second"], f"expected both answers, in order, got {texts}. {RULE}"
