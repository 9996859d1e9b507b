"""The checks: one pytest module per exercise, each test named after a behaviour the exercise demands.

Each check drives `target("NN.K")`: the student's starter, or the reference
solution when EXERCISE_TARGET=solution. Assertion messages are written for a
student: what was expected, what arrived.
"""

from exercises.registry import load_target as target  # noqa: F401

NOTHING = "nothing within 1 s"


async def answer(communicator, timeout: float = 1) -> dict | str:
    """The next event the consumer sends, or NOTHING if it stays silent."""
    try:
        return await communicator.receive_output(timeout=timeout)
    except TimeoutError:
        return NOTHING
