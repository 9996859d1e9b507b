"""Check 07.2: only staff may enter.

The task's rules, in its order: 1. anonymous users are accepted, then closed 4401; 2. logged-in users who are not
active staff (a superuser without is_staff, an inactive staff account) are accepted, then closed 4403, and nothing
follows the close; 3. two staff users at once each get {"staff": <their own username>} and stay open, beside a refused
user; 4. (the battery) a binary frame gets an error, no frame crashes it or reaches another socket; 5. the consumer ends
when its client leaves and never holds the loop (and the battery: nothing sets DJANGO_ALLOW_ASYNC_UNSAFE).
"""

import asyncio

import pytest
from django.contrib.auth.models import AnonymousUser, User

from exercises.probes import FRAME, NOTHING, answer, close_all, ends_on_disconnect, frame, meeting, never_blocks
from exercises.probes import nothing_after_close, nothing_more, proved, suspending
from exercises.probes.closing import frames_after_the_close_go_unanswered
from exercises.probes.served_users import closed_with, socket_for, warmed_up

EXERCISE, CONSUMER = "07.2", "StaffOnlyConsumer"
RULE = "StaffOnlyConsumer accepts, then closes anonymous users with 4401 and users who are not staff with 4403"
WARM_UP = User(pk=10, username="warm-up", is_staff=True)  # let in: the warm-up's socket runs the whole way


@pytest.mark.rule(1, 2, 5)
@pytest.mark.parametrize(
    ("user", "code", "who"),
    [  # each logged-in user with a primary key, as a user AuthMiddlewareStack loads from the database has one
        (AnonymousUser(), 4401, "an anonymous user"),
        (User(pk=2, username="bob"), 4403, "a logged-in user who is not staff"),
        (User(pk=3, username="root", is_superuser=True), 4403, "a superuser who is not staff"),
        (User(pk=4, username="gone", is_staff=True, is_active=False), 4403, "a staff user whose account is inactive"),
    ],
    ids=["anonymous", "not-staff", "superuser-not-staff", "inactive-staff"],
)
async def test_others_are_closed_with_the_right_code(app, user, code, who):
    communicator = socket_for(await warmed_up(app, WARM_UP), user)
    await communicator.send_input({"type": "websocket.connect"})
    first = await answer(communicator)  # an accept may carry "subprotocol": None, as the generic consumers' does
    assert isinstance(first, dict) and first.get("type") == "websocket.accept", (
        f"accept first, then close: a refused handshake tells the page nothing, got {first}"
    )
    async with never_blocks():
        second = await answer(communicator)
        lazy = (  # an anonymous user let through as logged in
            '; ask user.is_authenticated: scope["user"] is a lazy object wrapping the user, so type(user) is '
            "never AnonymousUser"
            if code == 4401 and closed_with(second, 4403)
            else ""
        )
        assert closed_with(second, code), (
            f"{who} must be closed with {code} before any data frame (4401: log in first; 4403: logged in, "
            f"but not allowed: only active staff may enter, as for Django's admin), got {second}{lazy}"
        )
        await nothing_after_close(communicator)
        await frames_after_the_close_go_unanswered(communicator, code)


@pytest.mark.rule(3, 5)
async def test_staff_get_in(app):
    app = suspending(await warmed_up(app, WARM_UP))
    pair = meeting(app)  # ada's and grace's consumers both reach their accept before either goes on
    async with never_blocks():
        ada, grace = (
            socket_for(pair, User(pk=1, username="ada", first_name="Ada", is_staff=True)),  # greeted as "ada"
            socket_for(pair, User(pk=5, username="grace", first_name="Grace", last_name="Hopper", is_staff=True)),
        )
        bob = socket_for(app, User(pk=2, username="bob"))
        opened = await asyncio.gather(
            ada.connect(timeout=FRAME), grace.connect(timeout=FRAME)
        )  # both handshakes at once
        assert all(accepted for accepted, _ in opened), "expected a staff user's socket to be accepted"
        await bob.send_input({"type": "websocket.connect"})
        proved("sockets", 3)
        got = {"ada": await frame(ada), "grace": await frame(grace)}
        assert got == {"ada": {"staff": "ada"}, "grace": {"staff": "grace"}}, (
            f'two staff users at once must each get {{"staff": <their own name>}}, got {got}: the user is this '
            'socket\'s own scope["user"], never something kept on the class, and the name is its username '
            "(get_username()), not its first or full name"
        )
        for name, socket in (("ada", ada), ("grace", grace)):
            later = NOTHING if await nothing_more(socket) else await answer(socket)
            assert not (isinstance(later, dict) and later.get("type") == "websocket.close"), (
                f"{name}, staff, was greeted and then closed ({later}): only those who are not staff are closed, "
                "a staff socket stays open"
            )
        refused = [await answer(bob), await answer(bob)]
        assert closed_with(refused[-1], 4403), (
            f"a user who is not staff, connecting beside them, must still be closed with 4403, got {refused}"
        )
    assert await ends_on_disconnect(ada), (
        "after the client left, the consumer never ended: a consumer stops when its websocket.disconnect "
        "handler says so, or it lives on until the server cancels it"
    )
    await close_all(grace)


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
