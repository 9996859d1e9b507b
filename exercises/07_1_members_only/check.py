"""Check 07.1: refuse anonymous users with 4401."""

import asyncio

from channels.auth import UserLazyObject
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, User

from exercises.probes import (
    FRAME,
    NOTHING,
    answer,
    close_all,
    frame,
    load,
    meeting,
    never_blocks,
    nothing_after_close,
    nothing_more,
    proved,
    suspending,
)

RULE = "MembersOnlyConsumer accepts, then closes an anonymous user with 4401 before any data frame"


def closed_with(got, code: int) -> bool:
    """A close with `code`; a "reason" beside it is the client's news too, and allowed."""
    return isinstance(got, dict) and got.get("type") == "websocket.close" and got.get("code") == code


def consumer():
    return load("07.1", RULE).MembersOnlyConsumer.as_asgi()


def as_served(user) -> UserLazyObject:
    """`user` as AuthMiddlewareStack puts it in scope["user"]: a lazy object wrapping it, never the user itself."""
    lazy = UserLazyObject()
    lazy._wrapped = user
    return lazy


async def anonymous_socket(app) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app, "/")
    communicator.scope["user"] = as_served(AnonymousUser())
    await communicator.send_input({"type": "websocket.connect"})
    return communicator


async def warmed_up(app):
    """`app`, after one socket has come and gone: what a process does once stays out of the timing."""
    communicator = WebsocketCommunicator(app, "/")
    communicator.scope["user"] = User(pk=3, username="warm-up")
    await communicator.connect(timeout=FRAME)
    await close_all(communicator)
    return app


async def test_an_anonymous_user_is_closed_4401_before_any_data_frame():
    communicator = await anonymous_socket(await warmed_up(consumer()))
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


async def test_a_logged_in_user_is_greeted_by_name():
    app = suspending(await warmed_up(consumer()))
    pair = meeting(app)  # ada's and bob's consumers both reach their accept before either goes on
    async with never_blocks():
        ada = WebsocketCommunicator(pair, "/")
        # Each with a primary key, as a user AuthMiddlewareStack loads from the database has one.
        ada.scope["user"] = as_served(User(pk=1, username="ada", first_name="Ada", last_name="Lovelace"))  # "ada"
        bob = WebsocketCommunicator(pair, "/")
        bob.scope["user"] = as_served(User(pk=2, username="bob", first_name="Bob"))
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
