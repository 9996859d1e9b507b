"""Check 07.3 (fix): after login() over a socket, the consumer saves the session, in a thread.

The task's rules, in its order: 1. the session the handoff names is logged in, for each of two sockets at once; 2. it
is stored before the socket answers; 3. with the ORM off the loop; 4. a wrong password is refused; 5. a session the
database cannot save is never told as a wrong password; 6. no password or session key reaches a log or the output;
7. every wrong shape gets an error; 8. (the battery) it ends on websocket.disconnect, and nothing sets
DJANGO_ALLOW_ASYNC_UNSAFE.
"""

import asyncio
import json
import logging

import pytest
from channels.auth import AuthMiddlewareStack
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore

from exercises.probes import BAD, ask, close_all, connect, failure_told_truly, load, login_bad_frames, never_blocks
from exercises.probes import orm_where_it_belongs, proved, queries_by_thread, queries_told_first, refused_with_error
from exercises.probes import shown_part, written_out
from exercises.probes.saving import LOCKED, handoff_logs_in, no_session_key_written, saves_fail, slow_saves
from exercises.probes.saving import stored_user_id

RULE = 'login() changes scope["session"], and the page reloads with the session the handoff names: it holds the user'
ADA = {"username": "ada", "password": "analytical-engine"}  # each test's user, made by the fixture `ada`
# Every kind of wrong frame once (login_bad_frames()), text that is no JSON, and a nesting too deep (RecursionError).
WRONG_SHAPES = [*login_bad_frames(), "\u00e9t\u00e9", "[" * 100_000]
MISNAMED = {"user": "ada", "password": "difference-engine"}  # the right keys but one, the password among them
IN_A_THREAD = "Run authenticate() and the session's save in database_sync_to_async."
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def ada(settings):
    """The user ada (password ADA["password"]); passwords hashed with MD5, as Django's own takes most of a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return await User.objects.acreate_user(**ADA)


async def login_socket():
    return await connect(AuthMiddlewareStack(load("07.3", RULE).LoginConsumer.as_asgi()), "/")


@pytest.mark.rule(1, 3)
async def test_the_session_the_handoff_names_is_logged_in(ada):
    with queries_by_thread() as ran, queries_told_first(ran, IN_A_THREAD):
        bob = await User.objects.acreate_user("bob", password="difference-engine")  # on Django's sync thread
        first, second = await login_socket(), await login_socket()
        proved("sockets", 2)
        async with never_blocks():  # the session's save is a query: in a thread, never on the loop
            answers = await asyncio.gather(ask(first, *ADA.values()), ask(second, "bob", "difference-engine"))
        for user, reply in zip((ada, bob), answers, strict=True):
            await handoff_logs_in(reply, user, RULE)
        await close_all(first, second)
    orm_where_it_belongs(ran, IN_A_THREAD)


@pytest.mark.rule(2)
async def test_the_session_is_stored_before_the_socket_answers(ada):
    communicator = await login_socket()
    with slow_saves(0.2, model=SessionStore):  # a busy database: the write takes a moment
        reply = await ask(communicator, *ADA.values())
        stored = await asyncio.to_thread(stored_user_id, reply)  # the page redeems the handoff at once
    assert stored == str(ada.pk), (
        f"the socket answered {reply}, and the session its handoff names, read at once as the page's request reads it, "
        f"holds user id {stored!r}, not ada's: answer only once the session is saved (await the save, then reply)"
    )
    await close_all(communicator)


@pytest.mark.rule(4)
async def test_a_wrong_password_is_refused(ada):
    await User.objects.acreate_user("gone", password="analytical-engine", is_active=False)
    communicator, bystander = await login_socket(), await login_socket()
    for username, password, who in (
        ("ada", "wrong", "a wrong password"),
        ("nobody", "analytical-engine", "an unknown username"),
        ("gone", "analytical-engine", "an inactive account's right password"),
        ("ada", "", "an empty password"),
    ):
        reply = await ask(communicator, username, password)
        assert reply == BAD, f"{who} must get {json.dumps(BAD)}, and never a session, got {reply}"
    assert await ask(communicator, *ADA.values()) != BAD, "after refused tries, the right password still logs in"
    await close_all(communicator, bystander)


@pytest.mark.rule(5)
async def test_a_session_the_database_cannot_save_is_never_told_as_a_wrong_password(ada):
    communicator = await login_socket()
    with saves_fail(SessionStore):
        await communicator.send_to(text_data=json.dumps(ADA))
        failure = f"ada sent her right password and the session's save raised {LOCKED}"
        harm = "ada retypes a password that was right, and nobody hears the database failed"
        await failure_told_truly(communicator, failure, "ada", BAD["error"], harm, wrong="handoff")


@pytest.mark.rule(6)
async def test_no_password_or_session_key_reaches_a_log_or_the_output(ada, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    communicator = await login_socket()
    await ask(communicator, "ada", "analytical-engin3")  # a typo of the real one
    reply = await ask(communicator, *ADA.values())
    await refused_with_error(communicator, json.dumps(MISNAMED))  # a page with a bug in its key: refused for its shape
    await close_all(communicator)
    written = written_out(caplog, capsys)  # a record's extra fields too: a JSON or Sentry handler writes them all
    for password in ("analytical-engin3", "analytical-engine", MISNAMED["password"]):
        refused = f" (it came in a frame refused for its shape, {MISNAMED}: log no refused frame as it came)"
        assert not (part := shown_part(written, password, 8)), (
            f"the password {password!r} reached the server's log or output ({part!r}, in a row): log no password, "
            "right or wrong (a wrong one is often a typo of the real one), nor its start; log the username at most, "
            f"in the message and in a record's extra fields alike{refused if password == MISNAMED['password'] else ''}"
        )
    no_session_key_written(written, reply)


@pytest.mark.rule(7)
async def test_frames_of_every_wrong_shape_get_an_error():
    communicator, other = await login_socket(), await login_socket()
    for text in WRONG_SHAPES:
        await refused_with_error(communicator, text, others=(other,))
    proved("bad frames", len(WRONG_SHAPES))
    await close_all(communicator, other)


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
