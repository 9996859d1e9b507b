"""Check 01.4 (fix): a raw consumer ends itself once the socket has closed, after its cleanup (leaving the group).

The task's rules, in its order: 1 it still accepts and echoes; 2 an open socket is in the group; 3 it ends after
websocket.disconnect whatever the close code; 4 the closed socket has left the group, whatever the code, and of two
sockets the one still open stays; 5 it ends even when leaving the group fails; 6 its layer calls run on the server's
loop (the LoopWatchingLayer refuses any other). Then the standard battery ([battery.rules] names each one's rule).
"""

import pytest

from exercises.probes import answer, close_all, connect, ends_on_disconnect, in_its_group_once_open, layer_down, load
from exercises.probes import members, proved
from exercises.probes.sync_consumers import CLOSES, KILLED, ended
from exercises.probes.sync_consumers import loop_watching_layer  # noqa: F401 (switched on by pytestmark)

RULE = (
    "A raw consumer must end itself once its socket has closed, after its cleanup: nothing ends it for you, "
    "and nothing of it may run after it has ended"
)
GONE = f"a socket is gone whatever its close code, 1001 for a closed tab and 1006 for a lost network too. {RULE}"
GROUP = "fixlobby"

# A layer call made without async_to_sync leaves a coroutine nobody awaits; its warning would fail whichever
# test the garbage collector happens to run in. The group's members say what it broke, in a sentence.
pytestmark = [
    pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:Exception ignored in.*coroutine:pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.usefixtures("loop_watching_layer"),  # this check reads the layer's groups, and which loop leaves
]


def app():  # not the shared app fixture: it builds the layer before any loop runs, and LoopWatchingLayer needs one
    return load("01.4", RULE).LobbyConsumer.as_asgi()


@pytest.mark.rule(1)
async def test_it_still_accepts_and_echoes():
    communicator = await connect(app())
    await communicator.send_to(text_data="hi")
    got = await answer(communicator)
    assert got == {"type": "websocket.send", "text": "hi"}, f'expected "hi" back, got {got}'
    await close_all(communicator)


@pytest.mark.rule(3, 6)
async def test_the_consumer_ends_once_the_socket_has_closed():
    for code in (*CLOSES, 4000):  # a clean close, a closed tab, a lost network, the app's own
        communicator = await connect(app())
        await ended(communicator, code, GONE)


@pytest.mark.rule(2)
async def test_an_open_socket_is_in_the_lobby():
    await in_its_group_once_open(app())  # its group_add finished before its accept was sent


@pytest.mark.rule(2, 4)
async def test_the_closed_socket_has_left_the_group():
    for code in (*CLOSES, 4000):  # however the socket closed, it is gone
        before = members(GROUP)
        communicator = await connect(app())
        joined = members(GROUP) - before
        assert len(joined) == 1, (
            f"an open socket must be in the group {GROUP}; it added {len(joined)} channel(s): join the group before "
            "accepting, so that a client that sees its socket open is in the lobby"
        )
        await ended(communicator, code, GONE)
        assert not joined & members(GROUP), (
            f"the closed socket's channel is still in the group {GROUP} (it closed with code {code}): a socket is "
            f"gone whatever its close code, so leave the group on every websocket.disconnect. {RULE}"
        )


@pytest.mark.rule(4)
async def test_two_sockets_one_leaving_keeps_the_other_in_the_lobby():
    before, application = members(GROUP), app()
    first = await connect(application)
    firsts = members(GROUP) - before
    second = await connect(application)
    seconds = members(GROUP) - before - firsts
    proved("sockets", 2)
    assert len(firsts) == 1 and len(seconds) == 1, (
        f"two open sockets must be two channels in the group {GROUP}, found {len(firsts | seconds)}"
    )
    await ended(first, 1000, GONE)
    left = members(GROUP) - before
    kept = {"the closed socket's channel": firsts & left, "the open socket's channel": seconds & left}
    holds = " and ".join(name for name, channels in kept.items() if channels) or "no channel of theirs"
    assert left == seconds, (
        f"after the first of two sockets closed, {GROUP} holds {holds}: exactly the one still open must stay. "
        "Each consumer discards its own self.channel_name, never a name kept on the class or the module, which "
        f"another socket may have overwritten. {RULE}"
    )
    await second.send_to(text_data="still here")
    got = await answer(second)
    assert got == {"type": "websocket.send", "text": "still here"}, f"the socket still open got {got}, not its echo"
    await ended(second, 1000, GONE)
    assert not (members(GROUP) - before), f"both sockets closed, yet {GROUP} still holds a channel of theirs"


@pytest.mark.rule(5)
async def test_the_consumer_ends_even_when_leaving_the_group_fails(monkeypatch):
    outage = layer_down(monkeypatch, "group_discard")  # before connect: a group_discard bound there is the stand-in too
    communicator = await connect(app())
    failure = outage()
    try:
        ended = await ends_on_disconnect(communicator)  # False once it asks for another event instead (then cancelled)
    except ConnectionError:
        return  # the failure ended the consumer: the server logs it
    assert ended, (
        f"{failure} as the socket closed, and the consumer was still running after its websocket.disconnect "
        f"({KILLED}): an except that swallows the failure and returns skips the StopConsumer. Let the error through "
        f"(it ends the consumer, and the server logs it), or raise StopConsumer however the leaving went. {RULE}"
    )


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_message_arrives_unchanged,
    test_a_layer_failure_while_joining_is_told,
)
