"""Check 12.3 (fix): a socket leaves its group however its consumer ends, even when a send fails and no disconnect comes.

The task's rules, in its order: 1. open sockets get the headlines as sent; 2. one leaving changes nothing for the
others; 3. a socket whose send fails leaves the group, and its consumer ends; 4. a consumer the server cancels leaves
the group and ends cancelled; 5. an error inside the consumer still reaches the server; 6, 7 and 9: the standard
battery of exercise.toml (a client's frame, the layer failing as it joins, DJANGO_ALLOW_ASYNC_UNSAFE); 8. the loop
never stalls (watched in 1, 2 and 4).
"""

import pytest

from exercises.probes import AS_SENT, cancelled, close_all, connect, ended_cancelled, ends_on_disconnect, frame
from exercises.probes import members, nothing_more, running_tasks, sockets, tasks_left
from exercises.probes.tickers import a_send_fails, a_ticker_layer, daphne_saw, ends_by_itself, headline  # noqa: F401
from exercises.probes.tickers import on_a_watched_loop

EXERCISE, CONSUMER = "12.3", "TickerConsumer"
RULE = (
    "A send to a closing socket raises and no websocket.disconnect follows (django/channels#1466), and a server "
    "cancels a consumer that outlives its socket: leave the group however the consumer ends"
)
pytestmark = pytest.mark.usefixtures("a_ticker_layer")  # the in-memory layer, its group calls a round trip long


@pytest.mark.rule(3)
async def test_a_socket_whose_send_fails_leaves_the_group(app):
    before = members("fixnews")
    done, error = await a_send_fails(app, joined=lambda: members("fixnews") - before)  # no disconnect comes
    logged = daphne_saw(done, error)
    left_behind = members("fixnews") - before
    ended = " once the consumer has ended (await group_discard before it ends: a task started for it may run later, or never)"
    assert not left_behind, (
        f"{logged}; the failed socket's channel is still in the group fixnews{ended if done else ''}, so every "
        f"group_send keeps working for it. {RULE}"
    )
    assert done, f"{logged}: a consumer whose send failed must end (let the error propagate), not keep running"


@pytest.mark.rule(1, 2, 8)
async def test_open_sockets_get_the_headlines_and_one_leaving_changes_nothing(app):
    async with on_a_watched_loop():
        first, second = await sockets(app, "/", count=2)
        assert len(members("fixnews")) == 2, (
            f"{len(members('fixnews'))} of 2 accepted sockets are in the group fixnews: join it before accepting "
            "(a Redis group_add takes a round trip), so that a client that sees its socket open gets the headlines"
        )
        await headline(AS_SENT)
        for name, communicator in (("first", first), ("second", second)):
            got = await frame(communicator)
            assert got == {"headline": AS_SENT}, (
                f"the {name} of two open sockets expected {{'headline': {AS_SENT!r}}}, got {got}: a headline is "
                "passed on as it was sent, its spaces, <, & and emoji too (the page that shows it escapes it)"
            )
        assert await ends_on_disconnect(first), (
            "the consumer was still running after websocket.disconnect, until the test cancelled it: raise "
            "StopConsumer() in websocket_disconnect, even with the clean-up in __call__'s finally, or every closed "
            "socket's consumer lingers in the group until Daphne cancels it (application_close_timeout, 10 s later)"
        )
        await headline("still here")
        got = await frame(second)
        assert got == {"headline": "still here"}, (
            f'after the other socket closed, the open one expected {{"headline": "still here"}}, got {got}: '
            "one socket leaving must not take another out of the group"
        )
        assert await nothing_more(second, 0.1), "a headline arrived twice on the open socket"
        await close_all(second)
    assert not members("fixnews"), f"after both sockets closed, the group still holds {members('fixnews')}"


@pytest.mark.rule(4, 8)
async def test_a_consumer_the_server_cancels_leaves_the_group(app):
    before = running_tasks()
    async with on_a_watched_loop():
        communicator, other = await sockets(app, "/", count=2)
        await cancelled(communicator)
        left = members("fixnews")
        assert len(left) == 1, (
            f"a consumer cancelled by the server (shutdown, application_close_timeout) left {len(left)} channels "
            f"in the group fixnews, expected only the other socket's: CancelledError is no Exception, so "
            f"`except Exception` misses it, and it comes while the consumer waits for its next event, outside every "
            f"handler and dispatch(). {RULE}"
        )
        ended_cancelled(communicator)
        await close_all(other)
    assert not await tasks_left(before), "a task of your consumer was still running after its socket ended"


@pytest.mark.rule(5)
async def test_an_error_inside_the_consumer_still_reaches_the_server(app):
    before = members("fixnews")
    communicator = await connect(app)
    await headline("a bug", kind="news.flash")  # no handler takes it
    done, error = await ends_by_itself(communicator)
    assert isinstance(error, ValueError) and not members("fixnews") - before, (
        f"a layer message of a type no handler takes (a bug) made AsyncConsumer raise ValueError; the consumer "
        f"{'ended with ' + repr(error) if done else 'was still running afterwards'}: clean up in a finally and let "
        "every error through (`except Exception: pass` hides a bug from Daphne's log, where it would be seen)"
    )


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
    test_a_layer_failure_while_joining_is_told,
)
