"""Check 07.1: refuse anonymous users with 4401.

The task's rules, in its order: 1. an anonymous user is accepted, then closed 4401 before any data frame, and nothing
follows the close; 2. two users logged in at once are each greeted by their own username and stay open, beside an
anonymous socket still closed 4401; 3. (the battery) a binary frame gets an error, no frame crashes it or reaches
another socket; 4. it ends on websocket.disconnect, never holds the loop (and the battery: nothing sets
DJANGO_ALLOW_ASYNC_UNSAFE).
"""

import asyncio

import pytest
from django.contrib.auth.models import AnonymousUser, User

from exercises.probes import FRAME, NOTHING, answer, close_all, frame, meeting, never_blocks, nothing_after_close
from exercises.probes import nothing_more, proved, suspending
from exercises.probes.closing import frames_after_the_close_go_unanswered
from exercises.probes.served_users import closed_with, socket_for, warmed_up

EXERCISE, CONSUMER = "07.1", "MembersOnlyConsumer"
RULE = "MembersOnlyConsumer accepts, then closes an anonymous user with 4401 before any data frame"
WARM_UP = User(pk=3, username="warm-up")  # let in: the warm-up's socket runs the whole way


async def anonymous_socket(app):
    """A socket of an AnonymousUser's, as AuthMiddlewareStack serves one, its handshake sent and not yet answered."""
    communicator = socket_for(app, AnonymousUser())
    await communicator.send_input({"type": "websocket.connect"})
    return communicator


@pytest.mark.rule(1, 4)
async def test_an_anonymous_user_is_closed_4401_before_any_data_frame(app):
    communicator = await anonymous_socket(await warmed_up(app, WARM_UP))
    first = await answer(communicator)
    assert isinstance(first, dict) and first.get("type") == "websocket.accept", (
        f"accept first, then close with 4401: a refused handshake tells the page nothing, got {first}"
    )
    async with never_blocks():
        second = await answer(communicator)
        assert not (isinstance(second, dict) and second.get("type") == "websocket.send"), (
            f"an anonymous user was sent a data frame, {second}, before any close: the check comes first, "
            "and an anonymous visitor (an AnonymousUser, never None, inside the lazy object AuthMiddlewareStack "
            "puts in scope, so type(user) is never AnonymousUser) must learn nothing but the close code"
        )
        assert closed_with(second, 4401), (
            "an anonymous user (an AnonymousUser, never None: ask the user whether it is authenticated) "
            f"must be closed with 4401, got {second}"
        )
        await nothing_after_close(communicator)
        await frames_after_the_close_go_unanswered(communicator, 4401)


@pytest.mark.rule(2, 4)
async def test_a_logged_in_user_is_greeted_by_name(app):
    app = suspending(await warmed_up(app, WARM_UP))
    pair = meeting(app)  # ada's and bob's consumers both reach their accept before either goes on
    async with never_blocks():
        # Each with a primary key, as a user AuthMiddlewareStack loads from the database has one.
        ada = socket_for(pair, User(pk=1, username="ada", first_name="Ada", last_name="Lovelace"))  # greeted "ada"
        bob = socket_for(pair, User(pk=2, username="bob", first_name="Bob"))
        stranger = await anonymous_socket(app)
        opened = await asyncio.gather(ada.connect(timeout=FRAME), bob.connect(timeout=FRAME))  # both handshakes at once
        assert all(accepted for accepted, _ in opened), "expected a logged-in user's socket to be accepted"
        proved("sockets", 3)
        got = {"ada": await frame(ada), "bob": await frame(bob)}
        assert got == {"ada": {"hello": "ada"}, "bob": {"hello": "bob"}}, (
            f"two users logged in at once must each be greeted by their own name, got {got}: "
            'the user is this socket\'s own scope["user"], never something kept on the class, and the greeting '
            "names its username (get_username()), not its first or full name"
        )
        for name, socket in (("ada", ada), ("bob", bob)):
            later = NOTHING if await nothing_more(socket) else await answer(socket)
            assert not (isinstance(later, dict) and later.get("type") == "websocket.close"), (
                f"{name}, logged in, was greeted and then closed ({later}): only an anonymous user is closed, "
                "a member's socket stays open"
            )
        refused = [await answer(stranger), await answer(stranger)]
        assert closed_with(refused[-1], 4401), (
            f"an anonymous socket opened beside them must still be closed with 4401, got {refused}"
        )
    await close_all(ada, bob)


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
