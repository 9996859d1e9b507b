"""A presence room for check 04.2: sockets that heard their own join, the leaves the others hear, and random names.

Check 04.2 judges a room of the group "expresence" that announces {"joined": <name>} and {"left": <name>}, each
socket named "guest-" and six random hex digits. joined() opens a socket and reads its own join (and its channel,
from the group); leave_heard() closes one and judges who hears the leave. Where a name comes from is judged by
its digits (every_digit_varies()) and by a draw forced to 0 (every_draw_zero()); group_sends_noted() records who
was in the group as each announcement went out. another_process and warmed_up are fixtures: a check imports them
by name.
"""

import os
import random
import re

import pytest
from channels.layers import InMemoryChannelLayer

from exercises.probes.communicators import connect, ends_on_disconnect, members
from exercises.probes.loading import imported_afresh, proved
from exercises.probes.rooms import warmed_up as warmed_up_to_its_end
from exercises.probes.waits import frame

GROUP = "expresence"


@pytest.fixture
def another_process(request):
    """A function: each call serves the check's CONSUMER from its file imported afresh, as a new server process does.

    Whatever a process counts or seeds starts over in each: two calls are two processes.
    """

    def served():
        module = imported_afresh(request.module.EXERCISE, request.module.RULE)
        return getattr(module, request.module.CONSUMER).as_asgi()

    return served


@pytest.fixture
async def warmed_up(in_memory_layer, app):
    """The kit's warmed_up (exercises/conftest.py), its socket's end awaited as rooms.py awaits it.

    A consumer that never ends after websocket.disconnect (no StopConsumer, which the first test tells) is
    cancelled once it asks for another event, not FRAME later. A check imports it by name, as another_process.
    """
    await warmed_up_to_its_end(app)
    return app


async def joined(app, who: str):
    """A socket in the room, `who` its name in a sentence; .name its own join's, .channel its channel in the group."""
    before = members(GROUP)
    communicator = await connect(app)
    own = await frame(communicator)
    assert isinstance(own, dict) and set(own) == {"joined"} and isinstance(own["joined"], str) and own["joined"], (
        f'expected {who}\'s first frame to be {{"joined": <a name>}}, its own join, got {own}: a socket is in '
        "the room before the join is announced, so it hears its own"
    )
    assert re.fullmatch("guest-[0-9a-f]{6}", own["joined"]), (
        f'{who} was announced as {own["joined"]!r}: expected "guest-" and six random hex digits'
    )
    channel = members(GROUP) - before
    assert len(channel) == 1, f'expected {who}\'s socket to join the group "expresence", got members {members(GROUP)}'
    communicator.who, communicator.name, communicator.channel = who, own["joined"], channel.pop()
    return communicator


async def leave_heard(gone, code: int, others) -> None:
    """`gone`'s socket closes with `code`: it is sent nothing more, and each socket of `others` hears its leave."""
    await ends_on_disconnect(gone, code)
    assert gone.output_queue.empty(), (
        f"{gone.who}'s socket was sent {gone.output_queue.get_nowait()} after it had closed: the leave is for "
        "the others, and nothing may follow a close"
    )
    for communicator in others:
        assert (left := await frame(communicator)) == {"left": gone.name}, (
            f'expected {{"left": "{gone.name}"}} on {communicator.who}\'s socket when {gone.who} left, got '
            f"{left}: the leave names the socket that left, and each socket keeps its own name on self, not "
            f"on the class; it is announced whatever the close code ({gone.who}'s socket closed with {code})"
        )


def every_digit_varies(names: list[str]) -> None:
    """Each of the six hex digits of `names` ("guest-" and six) takes more than 4 values: drawn at random.

    Twenty names drawn at random: that any of the six digits shows 4 values or fewer in all twenty
    has odds of about 1 in 10**8. A clock, an id(), a counter or a small range shows 1 or 2.
    """
    for place in range(6):
        seen = sorted({name[6 + place] for name in names})
        assert len(seen) > 4, (
            f"twenty sockets were named {', '.join(names[:4])}, …: hex digit {place + 1} of the six took only "
            f"{''.join(seen)!r}, where sixteen values are drawn at random. A name from a clock, an id(), a counter "
            "or a small random range repeats: draw all six digits at random for each socket (uuid4, secrets)"
        )
    proved("sockets", len(names))


def every_draw_zero(monkeypatch) -> None:
    """Every draw a name may come from (os.urandom, random's) made 0: a first hex digit of 0, one in sixteen, each time.

    A name written without padding (hex(n), f"{n:x}") then has fewer than six digits, which
    joined()'s "guest-" and six hex digits rejects.
    """
    for module, name, zero in ((os, "urandom", bytes), (random, "_urandom", bytes), (random, "random", float)):
        monkeypatch.setattr(module, name, zero)  # bytes(n) is n zero bytes, float() is 0.0
    monkeypatch.setattr(random, "getrandbits", lambda bits: 0)
    monkeypatch.setattr(random.Random, "getrandbits", lambda self, bits: 0)  # randint, randrange, choice draw with it
    monkeypatch.setattr(random.Random, "random", lambda self: 0.0)


def draws_repeat(monkeypatch, seed: str) -> None:
    """Every draw a name may come from (os.urandom, random's) taken from one stream seeded with `seed`: each run alike.

    Names still differ from socket to socket (the stream goes on), but not from run to run: which of a check's
    tests first meets a name drawn with a leading 0 (one in sixteen) is then the same every time, and so are its
    words, where secrets' and uuid4's own draws made it a matter of luck.
    """
    stream = random.Random(seed)
    monkeypatch.setattr(os, "urandom", stream.randbytes)
    monkeypatch.setattr(random, "_urandom", stream.randbytes)  # SystemRandom (secrets) reads it
    random.seed(seed)  # the module's own generator: randint, choice, getrandbits


def group_sends_noted(monkeypatch) -> list[tuple[dict, set]]:
    """The in-memory layer's group_send, noting each message with the channels in its group as it went out."""
    told, send = [], InMemoryChannelLayer.group_send

    async def noted(layer, group, message):
        told.append((message, set(layer.groups.get(group, {}))))
        await send(layer, group, message)

    monkeypatch.setattr(InMemoryChannelLayer, "group_send", noted)
    return told
