"""Who is online (checks 14.1, 17.1): the list a student's module keeps, asked and judged as a new socket hears it.

A list of who is online is only as good as what it forgets: a name listed twice, or listed after its student left,
is a ghost. These probes name a socket, beat its heart, and read the list, each failing in a sentence that says so.
"""

import json
import uuid

from exercises.probes.communicators import connect
from exercises.probes.waits import frame, nothing_more


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
