"""A socket login as a client tries it, once or many at once, and what a throttled login answers (checks 16.1, 16.2)."""

import asyncio
import inspect
import json
import unicodedata
from functools import cache

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
    """A name in six spellings, a wrong password each, the sixth from `other`: one counter for all six.

    ada's five (cases, full-width letters), then sets drawn by Hypothesis (spelled_alike()): the same name in other
    cases and normal forms, "ß" beside "SS", "ς" beside "Σ", "ﬁ" beside "FI". `opening()` and `other()` open a
    socket each time they are called.
    """
    for spellings in [["ada", "Ada", "ADA", "aDa", "\uff41\uff44\uff41", "ada"], *spelled_alike()]:
        with passwords_checked() as checked:
            replies = [await attempt(opening(), spelling, "password1") for spelling in spellings[:5]]
            sixth = await attempt(other(), spellings[5], "password2")
        assert replies == [BAD] * 5 and sixth == TOO_MANY and len(checked) == 5, (
            f"{', '.join(map(ascii, spellings[:5]))} were each tried once, then {ascii(spellings[5])} from another "
            f"socket got {sixth}: every spelling of a name is one person to a guesser and counts against one counter "
            f'({len(checked)} passwords checked, 5 allowed): fold the key (NFKC, casefold: lower() leaves "ß" and '
            '"ss" apart), never the name that logs in'
        )
    proved("spellings", len(spelled_alike()))


@cache
def spelled_alike(count: int = 12) -> tuple[tuple[str, ...], ...]:
    """Up to `count` sets of six spellings of a name, drawn the same on every run, alike after NFKC and casefold.

    A spelling is the name put through some of: upper(), lower(), title(), casefold(), NFC, NFD, NFKD and full-width
    letters. A set is kept only if every usual fold (NFKC then casefold, casefold then NFKC, and both around it) makes
    its six one key, so no right fold is refused (not "ı" beside "I": casefold keeps the dotless i).
    """
    from hypothesis import strategies as st

    from exercises.probes.frames import examples

    def full_width(text: str) -> str:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)

    forms = {
        "upper": str.upper, "lower": str.lower, "title": str.title, "casefold": str.casefold, "full-width": full_width,
        **{form: lambda text, form=form: unicodedata.normalize(form, text) for form in ("NFC", "NFD", "NFKD")},
    }  # fmt: skip
    folds = (
        lambda text: unicodedata.normalize("NFKC", text).casefold(),
        lambda text: unicodedata.normalize("NFKC", text.casefold()),
        lambda text: unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()),
    )

    def spelled(name: str, ways: list[list[str]]) -> tuple[str, ...]:
        spellings = []
        for way in ways:
            for form in way:
                name = forms[form](name)
            spellings.append(name)
        return tuple(spellings)

    def alike(spellings: tuple[str, ...]) -> bool:
        return len(set(spellings)) > 2 and all(len({fold(s) for s in spellings}) == 1 for fold in folds)

    letters = st.text(
        st.sampled_from("adelnorstu\u00df\u1e9e\u03c3\u03c2\u03a3\ufb01\u00e9\u00f1\u00c5\u0130"),
        min_size=2,
        max_size=8,
    )
    ways = st.lists(st.lists(st.sampled_from(sorted(forms)), max_size=3), min_size=6, max_size=6)
    names = {
        folds[0](spellings[0]): spellings
        for spellings in examples(st.builds(spelled, letters, ways).filter(alike), count)
    }
    names.pop("ada", None)  # each set another name: a count kept from one set never meets the next
    return tuple(names.values())


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
