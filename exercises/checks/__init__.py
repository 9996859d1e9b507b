"""The checks: one pytest module per exercise, each test named after a behaviour the exercise demands.

Each check drives `target("NN.K")`: the student's starter, the reference
solution when EXERCISE_TARGET=solution, or a classic wrong solution
(exercises/wrong/). Assertion messages are written for a student: what was
expected, what arrived, and the rule a wrong answer breaks.
"""

import json

import pytest

from exercises.registry import load_target as target  # noqa: F401

NOTHING = "nothing within 1 s"


def crashed(error: BaseException) -> str:
    """A sentence for an exception that escaped the student's code, naming the rule it breaks."""
    name = type(error).__name__
    text = f"your code raised {name}: {str(error).rstrip('.')}".rstrip(": ")
    if name == "SynchronousOnlyOperation":
        return f"{text}; the ORM is synchronous: query inside a database_sync_to_async function, list() included"
    if isinstance(error, TypeError) and "await" in str(error):
        return f"{text}; an AsyncConsumer's handlers must be `async def`, and every send awaited"
    if "AsyncToSync" in str(error) or "loop is already running" in str(error):
        return f"{text}; in async code, await the coroutine itself: async_to_sync is for synchronous callers only"
    if isinstance(error, ValueError) and str(error).startswith("No handler for message type"):
        return f"{text}; a message's \"type\" names its handler: \"chat.message\" calls chat_message()"
    if "redis" in type(error).__module__:
        return f"{text}; a layer failure must close the socket with 4503, not crash it (1011): wrap super().__call__"
    return (
        f"{text}; a consumer must not crash (that closes the socket with 1011): "
        'bad input gets what the exercise says, an {"error": ...} frame or a close code'
    )


async def answer(communicator, timeout: float = 1) -> dict | str:
    """The next event the consumer sends, or NOTHING if it stays silent; a crash fails the check with a sentence."""
    if communicator.future.cancelled():  # an earlier wait gave up on a silent consumer and stopped it
        return NOTHING
    try:
        return await communicator.receive_output(timeout=timeout)
    except TimeoutError:
        return NOTHING
    except Exception as error:  # the student's consumer raised: say so, and which rule that breaks
        pytest.fail(crashed(error), pytrace=False)


async def frame(communicator, timeout: float = 1) -> object:
    """The next text frame, decoded from JSON; otherwise whatever arrived instead (an event, or NOTHING)."""
    got = await answer(communicator, timeout)
    if isinstance(got, dict) and got.get("type") == "websocket.send" and got.get("text") is not None:
        try:
            return json.loads(got["text"])
        except ValueError:
            return got["text"]
    return got


async def nothing_more(communicator, timeout: float = 0.3) -> bool:
    """True if the consumer sends nothing within `timeout`; a crash fails the check with a sentence."""
    try:
        return await communicator.receive_nothing(timeout=timeout)
    except Exception as error:
        pytest.fail(crashed(error), pytrace=False)
