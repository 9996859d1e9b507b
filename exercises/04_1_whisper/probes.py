"""A whisper room for check 04.1: sockets that know their own addresses, and the whispers a room must refuse.

Check 04.1 judges a chat room in which each socket's first frame is {"you": <its channel name>}, a frame with "to"
goes to that one channel (channel_layer.send), and any other frame to the whole group. joined() and in_the_room()
open the sockets and read their addresses; whispered() and bad_whisper_refused() drive one whisper and judge
where it went; answer_past_acks() reads a socket's answer without waiting for a quiet spell. The inputs a room must
refuse are tables here, and so are the sentences more than one test says.
"""

import contextlib
import json

from exercises.probes.communicators import close_all, sockets
from exercises.probes.frames import bad_frames, is_error, overheard
from exercises.probes.loop import never_blocks
from exercises.probes.waits import NOTHING, frame, nothing_more

# Every wrong shape, no Hypothesis draws (slow); a lone surrogate is JSON, no UTF-8; "[" too deep: RecursionError
BAD_FRAMES = bad_frames("message", "hi", ('{"message": false}', '{"message": "hi\\udfff"}', "[" * 100_000), 0)
BAD_ADDRESSES = [None, 5, ["x"], {}, "", "not a channel!", "a" * 100]
BAD_WHISPERS = [None, "", 5, ["hi"], {"x": "hi"}, "\ud800"]  # a whisper's "message", checked as a room message's
OWN_NAME = "Give each socket its own self.channel_name, the name it joined the room with"
AWAITED = "Await each group_send in its handler: one left to a task loses its error, and is overtaken on Redis"
ELSEWHERE = ": members kept in the class or the module are one process's. Whisper to any address the layer takes"
ALONE = 'Bad input gets an error for its sender alone; a "to" never falls back to the room'


async def joined(app, count: int) -> list[tuple]:
    """`count` sockets in the room at once, each with the address its first frame gave."""
    found = [(communicator, await frame(communicator)) for communicator in await sockets(app, "/", count=count)]
    for _, hello in found:
        assert isinstance(hello, dict) and set(hello) == {"you"} and isinstance(hello["you"], str), (
            f'expected the first frame to be {{"you": <your channel name>}}: a client needs its address, got {hello}'
        )
    return [(communicator, hello["you"]) for communicator, hello in found]


@contextlib.asynccontextmanager
async def in_the_room(app, count: int, lag: float):
    """`async with in_the_room(app, 2, LAG) as [(alice, her_address), (bob, his)]`: joined(), the loop never stalled.

    Every socket is closed at the end (close_all() passes over one closed already); a failed assertion
    leaves them open, as any test that fails leaves its sockets. A test whose socket may end by
    crashing, as a failure let through does, opens its sockets with joined() and closes them itself.
    """
    async with never_blocks(lag):
        room = await joined(app, count)
        yield room
        await close_all(*(communicator for communicator, _ in room))


async def whispered(room: dict, sender: str, name: str, far: int) -> None:
    """`sender` whispers "psst" to `name` (room: {who: (socket, address)}): it reaches `name`, and no other socket.

    `far` (1 or 0) says whether another server process serves `name`'s socket than the sender's: a
    whisper that fails only then found its address in the process's own memory, not in the layer.
    """
    await room[sender][0].send_json_to({"to": room[name][1], "message": "psst"})
    assert (got := await frame(room[name][0])) == {"message": "psst"}, (
        f"a whisper to {name}{', whose socket another server process serves,' * far} got {name} {got} (and the "
        f"sender {await frame(room[sender][0], 0.1)}){ELSEWHERE * far}"
    )
    for other in [other for other in room if other != name]:
        assert await nothing_more(room[other][0], 0.1), (
            f"a whisper to {name} reached {other}{' (the sender)' * (other == sender)} too: a whisper goes "
            "with channel_layer.send to that one channel, not to the group"
        )


async def bad_whisper_refused(alice, bob, whisper: dict) -> None:
    """alice whispers `whisper` (a bad "message") to bob: she gets {"error": ...}, and bob receives nothing at all.

    Bob is listened to first: a message that went to him is the worse mistake, and it is told
    even when alice's answer is wrong too.
    """
    await alice.send_to(text_data=(text := json.dumps(whisper)))
    got = await frame(alice)
    assert (heard := await overheard(bob, 0.05)) == NOTHING, (
        f'alice whispered {text[:90]} to bob, and bob received {heard}: a whisper\'s "message" is checked as '
        'a room message\'s is (a non-empty string of valid Unicode) before it goes anywhere, whatever "to" says'
    )
    assert is_error(got), f'alice whispered {text[:90]} to bob: expected {{"error": "<why>"}}, got {got}'


async def answer_past_acks(communicator, most: int) -> object:
    """The first frame that is an error or no dict, read past at most `most` acknowledgements (dicts without "error").

    It waits for the answer itself, never for a quiet spell: a slow machine changes no verdict.
    """
    got, acks = await frame(communicator), 0
    while isinstance(got, dict) and "error" not in got and (acks := acks + 1) <= most:
        got = await frame(communicator)
    return got
