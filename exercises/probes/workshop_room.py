"""The workshop room (checks 14.1, 17.1): who is online, as a new socket hears it.

A list of who is online is only as good as what it forgets: a name listed twice, or listed after its student left,
is a ghost. These probes name a socket, beat its heart, and read the list, each failing in a sentence that says so.
17.2's room, which a report is sent to, is exercises/probes/report_room.py.
"""

import asyncio
import json
import uuid

import pytest

from exercises.probes.communicators import connect, ends_on_disconnect, members
from exercises.probes.served import send_fails, served
from exercises.probes.waits import FRAME, WAITED, frame, nothing_more


def fresh(who: str, length: int = 12) -> str:
    """A name no other test uses (the module's state lives as long as the check's process), `length` characters."""
    return (f"{who}-{uuid.uuid4().hex}" + "x" * 40)[:length]


class Room:
    """17.1's module under check as its pages see it, its clock() moved by the check (room.at) instead of waiting."""

    def __init__(self, monkeypatch, module, rule: str, heartbeat: str):
        self.module, self.rule, self.heartbeat = module, rule, heartbeat
        self.at = 10.0  # a small clock, as soon after boot: a gap is a difference, not a remainder
        monkeypatch.setattr(module, "clock", lambda: self.at)

    def online(self) -> list:
        """module.online(), which must be a sorted list naming each student once."""
        listed = self.module.online()
        assert isinstance(listed, list) and listed == sorted(listed), (
            f"online() must return a sorted list, got {listed!r}"
        )
        assert len(set(listed)) == len(listed), (
            f"online() lists {sorted({n for n in listed if listed.count(n) > 1})} more than once: a student on two "
            f"sockets is one student, listed once (a time per student, not per socket). {self.rule}"
        )
        return listed

    def __contains__(self, name: str) -> bool:
        """`name in room`: online() lists them now."""
        return name in self.online()

    async def joined(self, name: str, socket=None):
        """A socket (a new one, or `socket` not yet named) that named itself `name`, answered {"joined": name}."""
        socket = socket or await connect(self.module.OnlineConsumer.as_asgi())
        await socket.send_to(text_data=json.dumps({"name": name}))
        got = await frame(socket)
        assert got == {"joined": name}, (
            f'a socket\'s first name {{"name": "{name}"}} must be answered {{"joined": "{name}"}}, got {got}: a name is '
            "1 to 40 printable characters (spaces and punctuation are printable too), counted as characters (zoë is 3), "
            "not as UTF-8 bytes (a socket's bad frames before it do not count)"
        )
        return socket

    async def beat(self, socket, after: float = 0.0) -> None:
        """`after` seconds later, `socket` sends its heartbeat, which nothing answers."""
        self.at += after
        await socket.send_to(text_data=self.heartbeat)
        assert await nothing_more(socket, 0.05), "a heartbeat is not answered"


def nothing_left_since(module, group: str, rule: str):
    """judged(how, count, slow=""): fails with the names (module.ONLINE) and channels (`group`) left since now (14.1)."""
    before = set(module.ONLINE), members(group)

    def judged(how: str, count: int, slow: str = "") -> None:
        names, channels = set(module.ONLINE) - before[0], members(group) - before[1]
        assert not names, (
            f"after {count} connections that {how}, ONLINE still holds {len(names)} of their names; expected 0: "
            f"memory grows with every connection that churns, and new sockets list people long gone. {rule}"
        )
        assert not channels, (
            f"after {count} connections that {how}, the group {group} still holds {len(channels)} of their "
            f"channels; expected 0: every group_send keeps working for them{slow}. {rule}"
        )

    return judged


async def close_cleanly(communicator) -> None:
    """A clean close: websocket.disconnect, then the consumer's end; its cleanup must not raise (14.1)."""
    try:
        await ends_on_disconnect(communicator)
    except Exception as error:  # the student's cleanup raised, e.g. a second del of the same key
        pytest.fail(
            f"after a clean close, your consumer raised {type(error).__name__}: {error}; on a clean close the cleanup "
            "can run twice (websocket_disconnect, then __call__'s finally): ONLINE.pop(channel, None) does not mind",
            False,
        )


async def opened_with_list(application) -> tuple:
    """A new socket, and the names its first frame lists as online: each name once (14.1)."""
    got = await frame(communicator := await connect(application))
    names = got.get("online") if isinstance(got, dict) else None
    assert isinstance(names, list) and names, f'expected {{"online": [<names>]}} on connect, got {got}'
    assert len(set(names)) == len(names), f"a new socket was told {names}: a new one took a name still in use"
    return communicator, names


async def failed_sends(application, count: int) -> str:
    """`count` connections whose clients are gone, so each frame sent raises: how they ended, in words (14.1).

    Right consumers end at once; one still running FRAME later is cancelled, and said so. Each send's error is
    named as Daphne logs it.
    """
    tasks = [served(application, send_fails) for _ in range(count)]
    _, pending = await asyncio.wait(tasks, timeout=FRAME)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    errors = ", ".join({repr(t.exception()) for t in tasks if not t.cancelled() and t.exception()})
    said = errors and f' (Daphne logged "Exception inside application: Attempt to send on a closed protocol": {errors})'
    running = f" (and {len(pending)} of their consumers were still running {WAITED} later)" if pending else ""
    return f"ended with a failed send and no websocket.disconnect{said}{running}"
