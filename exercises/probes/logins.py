"""A socket login as a client tries it, once or many at once, and what a throttled login answers (checks 16.1, 16.2)."""

import asyncio
import inspect
import json

import pytest

from exercises.probes.communicators import close_all
from exercises.probes.frames import login_bad_frames, refused_with_error, tally
from exercises.probes.loading import proved
from exercises.probes.stores import passwords_checked
from exercises.probes.waits import frame
from exercises.probes.written import written_out

BAD = {"error": "invalid username or password"}
TOO_MANY = {"error": "too many failed logins, try again later"}


def answered(replies: list, bad: int, too_many: int) -> bool:
    """True if `replies` are `bad` x BAD and `too_many` x TOO_MANY, in any order."""
    return tally(sorted(replies, key=str)) == tally([BAD] * bad + [TOO_MANY] * too_many)


async def ask(communicator, username: str, password: str) -> object:
    """Send {"username": ..., "password": ...}: the decoded answer."""
    await communicator.send_to(text_data=json.dumps({"username": username, "password": password}))
    return await frame(communicator)


async def ask_told(communicator, username: str, password: str) -> object:
    """ask(), a crash (the server's 1011) told as "no answer (your code raised ...)" instead of failing the check."""
    try:
        return await ask(communicator, username, password)
    except pytest.fail.Exception as crash:
        return f"no answer ({str(crash).split(';')[0]})"


async def attempt(opening, username: str, password: str) -> object:
    """One login on a socket of its own (`opening`: the coroutine that opens it): the answer, the socket closed after."""
    communicator = await opening
    answer = await ask(communicator, username, password)
    await close_all(communicator)
    return answer


async def at_once(logins: list[tuple]) -> list:
    """Each login (opening, username, password) sent on its own socket before any answer is read: the answers.

    `opening` is a socket, or the coroutine that opens it (connect(...)), in order; the sockets close after.
    """
    communicators = [await opening if inspect.isawaitable(opening) else opening for opening, _, _ in logins]
    for communicator, (_, username, password) in zip(communicators, logins, strict=True):
        await communicator.send_to(text_data=json.dumps({"username": username, "password": password}))
    answers = await asyncio.gather(*(frame(communicator) for communicator in communicators))
    await close_all(*communicators)
    return answers


async def five_of_ten_checked(openings: list, who: str, why: str) -> None:
    """Ten sockets (`openings`) send ada a wrong password at once: 5 have it checked, 5 are refused unchecked."""
    with passwords_checked() as checked:
        replies = await at_once([(opening, "ada", f"guess-{n}") for n, opening in enumerate(openings)])
    proved("sockets", len(openings))
    assert len(checked) == 5 and answered(replies, 5, 5), (
        f"{who} sent ada a wrong password at the same moment: {len(checked)} passwords were checked, and the answers "
        f"were {tally(replies)}. {why}"
    )


async def every_spelling_counted(opening, other) -> None:
    """ada's name in five spellings, a wrong password each, then "ada" from `other`: one counter for all six.

    `opening()` and `other()` open a socket each time they are called.
    """
    spellings = ["ada", "Ada", "ADA", "aDa", "\uff41\uff44\uff41"]  # the last in full-width letters
    with passwords_checked() as checked:
        replies = [await attempt(opening(), spelling, "password1") for spelling in spellings]
        sixth = await attempt(other(), "ada", "password2")
    assert replies == [BAD] * 5 and sixth == TOO_MANY and len(checked) == 5, (
        f"{', '.join(spellings)} were each tried once, then ada from another socket got {sixth}: every spelling of "
        f"a name is one person to a guesser and counts against one counter ({len(checked)} passwords checked, 5 "
        "allowed): fold the key (NFKC, casefold), never the name that logs in"
    )


def no_password_written(caplog, capsys, passwords: list[str], at_most: str) -> None:
    """Fail if any of `passwords` reached a log record or the output (written_out()): never logged, right or wrong."""
    written = written_out(caplog, capsys)
    leaked = [password for password in passwords if password in written]
    assert not leaked, (
        f"the passwords {leaked} reached the server's log or output: a password is never logged or printed, checked "
        f"or refused, right or wrong (a guess may be someone's real password with a typo); log {at_most} at most"
    )


async def wrong_shapes_refused(communicator, other) -> None:
    """Every frame that is no login (login_bad_frames(), and one nested too deep) gets an error, on its socket alone."""
    frames = [*login_bad_frames(), "[" * 100_000]  # nested too deep: json.loads raises RecursionError, no ValueError
    with passwords_checked():
        for text in frames:
            await refused_with_error(communicator, text, others=(other,))
    proved("bad frames", len(frames))
    await close_all(communicator, other)
