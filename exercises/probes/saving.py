"""A message or a session saved, then told: read back at once, as another process reads it (checks 07.3, 08.2, 08.3).

A client that gets an id may hand it on at once: whoever looks the row up (another process, a
page's request, the page redeeming a handoff) must find it saved and committed. And while this
consumer saves, other sockets and other server processes save too: an id or a count read after
the save, not taken from it, may be theirs.
"""

import asyncio
import json
import os
import threading
import time
from contextlib import contextmanager
from unittest import mock

import pytest
from channels.auth import get_user
from django.contrib.sessions.backends.db import SessionStore
from django.core import signing
from django.db import OperationalError, connection, connections

from auth_demo.views import HANDOFF_SALT
from db_demo.models import ChatMessage
from exercises.probes.loading import load
from exercises.probes.waits import answer, frame
from exercises.probes.written import shown_part

ANOTHER_PROCESS = "another server process"  # the sender of the rows slow_saves(others=True) adds
AS_IT_CAME = "; a message is saved and sent as it came, its spaces and line breaks too: never stripped"
SAVED_ROWS_ID = (
    "answer with the id of the row this save made (create() returns it), never a row looked up after the save "
    "(the newest, a count, one with the same text): another socket's or process's save can come in between"
)
LOCKED = 'OperationalError ("database is locked")'  # what saves_fail() raises, as a message names it


def row(message_id: int, read: threading.Event) -> ChatMessage | None:
    """The row with this id, read at once in a thread of its own, as another process (a client's request) would."""
    try:
        return ChatMessage.objects.filter(id=message_id).first()
    finally:
        connection.close()
        read.set()


def commits_held(read: threading.Event | None):
    """Each commit waits (1 s at most) for the check's `read` of the row: an answer sent before the commit shows."""
    commit = (wrapper := type(connections["default"])).commit
    return mock.patch.object(wrapper, "commit", lambda self: (read and read.wait(1), commit(self))[1])


def slow_saves(delay: float = 0.1, others: bool = False, model: type = ChatMessage):
    """Every save takes `delay` longer, as on a busy database; `others`: another process saves the same just after.

    The other process's row (a ChatMessage's) has the same room and text, its sender ANOTHER_PROCESS:
    an id looked up after the save (the newest row, or one with this text) is its id.
    """
    save = model.save

    def slow(self, *args, **kwargs):
        time.sleep(delay)  # an answer sent before the save shows
        save(self, *args, **kwargs)
        if others:
            ChatMessage.objects.bulk_create([ChatMessage(room=self.room, text=self.text, sender=ANOTHER_PROCESS)])

    return mock.patch.object(model, "save", slow)


def saves_fail(model: type = ChatMessage):
    """Every `model.save()` raises what SQLite raises while another process holds its write lock too long."""
    return mock.patch.object(model, "save", side_effect=OperationalError("database is locked"))


async def saved_answer(communicator, text: str, room: str, at_once: bool = False) -> int:
    """Send `text`: the answer names a saved row of `room` holding it (at_once: a slow save, the row read at once)."""
    with slow_saves(0.1 if at_once else 0), commits_held(read := threading.Event() if at_once else None):
        await communicator.send_to(text_data=text)
        got, saved = await frame(communicator), None
        if isinstance(got, dict) and type(got.get("id")) is int:
            rows = ChatMessage.objects.filter(id=got["id"])  # at once: not behind the consumer's queries
            saved = await (asyncio.to_thread(row, got["id"], read) if at_once else rows.afirst())
    assert isinstance(got, dict) and got.get("message") == text and "id" in got, (
        f'expected {{"id": ..., "message": {text!r}}} on the socket that sent it, got {got}'
        + (AS_IT_CAME if isinstance(got, dict) and got.get("message") == text.strip() != text else "")
    )
    assert got["id"] is not None, 'the "id" you sent is None: the row was not saved yet; save first, then send'
    assert type(got["id"]) is int, (
        f'the "id" you sent is {got["id"]!r}: send the row\'s id as it is, a JSON integer, so a client that keeps '
        "the ids it has seen (lesson 12) can match it with the same message's id anywhere else"
    )
    assert saved is not None, (
        f"no saved row has the id you sent ({got['id']}) when the answer arrived: send the id the save returned, "
        "once the save is done (and committed: an answer sent inside transaction.atomic() goes out before the commit)"
    )
    assert saved.room == room, (
        f"row {saved.id} was saved in the room {saved.room!r}, not {room!r}: each socket saves in its own room, "
        "the <room> of its route as it is written (never lowercased or trimmed)"
    )
    assert saved.text == text, f"row {saved.id} holds {saved.text!r}, not {text!r}" + (
        AS_IT_CAME if saved.text == text.strip() else ""
    )
    return saved.id


def loaded_async_safe(exercise_id: str, rule: str):
    """The module under check, failing the check if importing it set DJANGO_ALLOW_ASYNC_UNSAFE (check 08.3).

    The variable only silences Django's SynchronousOnlyOperation: the queries still run on the
    event loop and block every socket. It is put back as it was, so later tests still see the error.
    """
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    module = load(exercise_id, rule)
    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    if unsafe != before:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        pytest.fail(
            f"your module sets DJANGO_ALLOW_ASYNC_UNSAFE={unsafe!r}: that hides the error, and the "
            f"queries still block every socket. {rule}",
            pytrace=False,
        )
    return module


@contextmanager
def another_process_saves_too():
    """Each save is followed at once by another server process's: a guestbook entry of its own lands just after."""
    save = ChatMessage.save

    def and_another(self, *args, **kwargs):
        save(self, *args, **kwargs)
        ChatMessage.objects.bulk_create([ChatMessage(room="guestbook", text="saved by another server process")])

    with mock.patch.object(ChatMessage, "save", and_another):
        yield


async def guestbook_entry(communicator, text: str) -> dict:
    """Send one entry; the answer {"id": ..., "entries": ...}, or the check fails saying what Daphne logs."""
    await communicator.send_to(text_data=text)
    got = await answer(communicator)
    assert not (isinstance(got, dict) and isinstance(got.get("text"), bytes)), (
        f"the answer's text was bytes ({got['text']!r}): a text frame's text is a str (json.dumps(...) as it is); "
        "Daphne cannot send bytes there, and the client hears nothing"
    )
    content = json.loads(got.get("text") or "null") if isinstance(got, dict) else got
    assert isinstance(content, dict) and {"id", "entries"} <= content.keys(), (
        f'expected {{"id": ..., "entries": ...}} for the entry {text!r}, got {got}'
    )
    saved = await ChatMessage.objects.filter(id=content["id"]).afirst()
    assert saved is not None and (saved.room, saved.text) == ("guestbook", text), (
        f"no saved guestbook row has the id {content['id']!r} with the text {text!r}: answer with the new row's id"
    )
    return content


def session_of(reply: object) -> SessionStore:
    """The session the reply's handoff names (KeyError, TypeError or BadSignature if it names none) (check 07.3)."""
    return SessionStore(session_key=signing.loads(reply["handoff"], salt=HANDOFF_SALT))


async def handoff_logs_in(reply: object, user, rule: str) -> None:
    """The page reloading with the session the reply's handoff names gets `user` (as AuthMiddlewareStack reads it)."""
    name = user.username
    assert isinstance(reply, dict) and reply.get("username") == name and "handoff" in reply, (
        f'expected {{"username": "{name}", "handoff": ...}} for {name}\'s right password, got {reply}: each '
        "socket answers for the user it logged in itself, never one kept on the class"
    )
    found = await get_user({"session": session_of(reply)})
    assert found.is_authenticated and found.pk == user.pk, (
        f"{name} logged in over the socket, but the session the page gets after the handoff is "
        f"anonymous ({found}): the login was never stored. {rule}"
        if not found.is_authenticated
        else f"{name}'s handoff names a session of {found}: each socket logs in its own user"
    )


def stored_user_id(reply: object) -> str | None:
    """The user id in the session the handoff names, read as the page's own request reads it: in another thread."""
    try:
        return session_of(reply).get("_auth_user_id")
    except (TypeError, KeyError, signing.BadSignature):
        return None
    finally:
        connection.close()


def no_session_key_written(written: str, reply: object) -> None:
    """Neither the session key the reply's handoff names, nor the handoff, nor a run of either, is in `written`."""
    handoff = reply.get("handoff") if isinstance(reply, dict) else None
    session_key = session_of(reply).session_key if isinstance(handoff, str) else None
    for secret, what in ((session_key, "ada's new session key"), (handoff, "the handoff token that names it")):
        assert not secret or not shown_part(written, secret), (
            f"{what} reached the server's log or output: the session key is ada's login itself (whoever holds it "
            "is ada, as her cookie is), and the handoff turns into it; log who logged in, never the key or the token"
        )
