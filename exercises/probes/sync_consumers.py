"""Raw consumers of lesson 01 (checks 01.2, 01.4): a raw SyncConsumer, and a consumer that ends itself.

A raw consumer writes lesson 01's event dicts itself and runs until one of its handlers raises StopConsumer:
nothing ends it for you, whatever the close code, and Daphne kills one that never ends. These probes say in a
sentence which of those a consumer broke.
"""

import pytest
from channels.consumer import SyncConsumer

from exercises.probes.communicators import ends_on_disconnect
from exercises.probes.endings import generic_base
from exercises.probes.waits import crashed

KILLED = "Daphne would log: Application instance <Task ...> took too long to shut down and was killed"
CLOSES = (1000, 1001, 1006)  # a clean close, a closed tab, a lost network: a socket is gone after each


def raw_sync_consumer(consumer, for_you: str) -> None:
    """`consumer` subclasses channels.consumer.SyncConsumer and none of Channels' generic consumers.

    WebsocketConsumer is a SyncConsumer too, but a generic one: its own handlers write the event dicts a raw
    consumer's task asks the student to write. `for_you` says what a generic base's handlers would write instead,
    and what the task asks for.
    """
    name = getattr(consumer, "__name__", repr(consumer))
    assert isinstance(consumer, type) and issubclass(consumer, SyncConsumer), (
        f"{name} subclasses {[c.__name__ for c in getattr(consumer, '__mro__', [])[1:]]}: the task asks for "
        "a raw channels.consumer.SyncConsumer, whose handlers are plain functions run in a thread"
    )
    generic = generic_base(consumer)
    assert generic is None, f"{name} is built on {generic}, a generic consumer (lesson 03) whose own handlers {for_you}"


async def ended(communicator, code: int, why: str) -> None:
    """The client leaves with `code`; the consumer must end, or the check fails with `why`, as Daphne would log.

    What the consumer's disconnect handler raised is told in a sentence, not as a traceback.
    """
    try:
        ends = await ends_on_disconnect(communicator, code)
    except Exception as error:  # the student's disconnect handler raised
        pytest.fail(f"on websocket.disconnect, {crashed(error)}", pytrace=False)
    assert ends, f"the consumer was still running after websocket.disconnect with code {code} ({KILLED}): {why}"


@pytest.fixture
def loop_watching_layer(settings):
    """The in-memory layer whatever REDIS_URL says, so a check reads its groups (members()); LoopWatchingLayer
    notes which event loop each call ran on, so a group_discard run in an event loop of its own is told."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "exercises.probes.LoopWatchingLayer"}}
