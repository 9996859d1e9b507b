"""Check 16.3 (fix): a chat's flood limit holds per client address, across all of its sockets.

Ten sockets from one address share its limit, whatever address they claim; a flood from one address never holds
back another; closing its sockets gives an address no fresh window; five messages a second get through and the
sixth does not; a refused message costs nothing and the window slides; clients with no address share one limit, and
clients on this machine are limited too; a socket leaves the room however it ends; a cancelled consumer ends cancelled.
"""

import asyncio
import itertools
import time
from collections import deque

from channels.testing import WebsocketCommunicator  # imported once, before any stall monitor

from exercises.probes import FRAME, close_all, connect_from, ends_cancelled, errors_in, frame, leaves_however_it_ends
from exercises.probes import load, messages_in, never_blocks, never_sleeps, nothing_more, proved, say, slow_broadcasts
from exercises.probes import StallInYourLines

EXERCISE, CONSUMER, GROUP = "16.3", "ChatConsumer", "exflood16"
LIMIT = 5  # the exercise's contract: at most 5 messages in any 1 s, per client address
PERIOD = 1.0
STALL = 0.25  # a blocking call stalls the loop as long as it blocks; a loaded machine, tens of ms
RULE = 'One client address may send at most 5 messages in any 1 s, however many sockets it opens; the rest get {"error": ...}'
HOSTS = itertools.count(1)


def addresses() -> tuple[str, str, str]:
    """A flooder, a neighbour on its network and a listener, new to this process: no earlier test's messages count."""
    n = next(HOSTS)
    return f"203.0.113.{n}", f"203.0.113.{n + 100}", f"192.0.2.{n}"


def remembered(address: str) -> list[str]:
    """The module's dicts, lists, sets and deques (its classes' too) that still hold `address`, by name."""
    module = load(EXERCISE, RULE)
    classes = [(n, c) for n, c in vars(module).items() if isinstance(c, type) and c.__module__ == module.__name__]
    found = [*vars(module).items(), *((f"{n}.{key}", item) for n, c in classes for key, item in vars(c).items())]
    return [name for name, held in found if isinstance(held, dict | list | set | deque) and address in held]


async def drain(communicator, quiet: float = 0.2) -> list:
    """Every frame the socket was sent, until it has been quiet for `quiet` seconds."""
    got = []
    while not await nothing_more(communicator, quiet):
        got.append(await frame(communicator))
    return got


async def test_ten_sockets_from_one_address_share_its_limit(app):
    flooder_ip, neighbour_ip, listener_ip = addresses()
    with slow_broadcasts(0.05):  # a broadcast takes a moment, as on Redis: other sockets run meanwhile
        async with never_blocks(STALL):
            listener, flooder = await connect_from(app, listener_ip), []
            for n in range(10):  # a flooder opens a socket, claims another address, floods on it, opens the next
                flooder.append(await connect_from(app, flooder_ip, claims=f"10.0.0.{n}"))
                await say(flooder[-1], f"flood {n}a", f"flood {n}b")
            proved("sockets", 11)
            heard = messages_in(await drain(listener))
            # The room has been quiet for 0.2 s: every answer is already waiting on the flooder's sockets.
            refused = [len(errors_in(await drain(communicator, 0.05))) for communicator in flooder]
            assert len(heard) == LIMIT, (
                f"one address opened 10 sockets and sent 2 messages on each within a second: the room heard "
                f"{len(heard)} of them. {RULE}. Its address is scope['client'][0]: each socket also claimed another "
                "one in X-Forwarded-For, X-Real-IP, Forwarded and the like, which any client can write. And a "
                "message counts before its broadcast is awaited: meanwhile the other sockets' messages are judged"
            )
            assert sum(refused) == 15, (
                f"of the 20 messages, the 15 the room did not hear must each get one error on the socket that sent it, "
                f"the flooder's sockets got {refused} errors"
            )
            assert not any(communicator.future.done() for communicator in flooder), "a flooder's socket was closed"
            await close_all(listener, *flooder)


async def test_a_flood_from_one_address_never_holds_back_another(app):
    flooder_ip, neighbour_ip, listener_ip = addresses()
    async with never_blocks(STALL):
        listener, flooder, neighbour = [await connect_from(app, a) for a in (listener_ip, flooder_ip, neighbour_ip)]
        proved("sockets", 3)
        await say(flooder, *(f"flood {n}" for n in range(LIMIT + 3)))
        await say(neighbour, *(f"hello {n}" for n in range(LIMIT)))  # at once, while the flooder's window is full
        heard, own = messages_in(await drain(listener)), await drain(neighbour)
        hellos = [message for message in heard if message.startswith("hello")]
        assert hellos == [f"hello {n}" for n in range(LIMIT)] and not errors_in(own), (
            f"another address sent {LIMIT} messages while a flooder was over its limit: the room must hear all of "
            f"them, it heard {hellos} and the sender got {len(errors_in(own))} errors. One address's flood never "
            f"silences another's, not even a neighbour's on its network ({flooder_ip} and {neighbour_ip})"
        )
        assert len(heard) == 2 * LIMIT, f"the room must hear the flooder's first {LIMIT} and the neighbour's {LIMIT}"
        await close_all(listener, flooder, neighbour)


async def test_closing_its_sockets_gives_an_address_no_fresh_window(app):
    flooder_ip, _, listener_ip = addresses()
    async with never_blocks(STALL):
        listener = await connect_from(app, listener_ip)
        for wave, sent, pause in [(0, 3, 0.4), (1, 3, 0), (2, LIMIT, 0)]:  # open a socket, send, close it; again
            flooder = await connect_from(app, flooder_ip)
            await say(flooder, *(f"wave {wave}.{n}" for n in range(sent)))
            await asyncio.sleep(pause)  # the first socket stays open a while, its window not full
            await close_all(flooder)
        heard = messages_in(await drain(listener))
        assert len(heard) == LIMIT, (
            f"one address opened a socket, sent 3 messages and closed it 0.4 s later, then 3, then {LIMIT} more on "
            f"two more sockets, within a second: the room heard {len(heard)} of the {6 + LIMIT}, expected {LIMIT}. "
            "An address's window outlives its sockets: "
            "forget it only once it holds no message of the last second, never when a socket closes"
        )
        await asyncio.sleep(PERIOD + 0.1)  # the flooder's window now holds nothing of the last second
        later = await connect_from(app, listener_ip)  # then another socket comes, and sends
        await say(later, "later")
        await close_all(listener, later)
    holding = remembered(flooder_ip)
    assert not holding, (
        f"{flooder_ip} sent nothing for over a second, then another socket came and sent, and {', '.join(holding)} "
        "still holds it: a quiet address's window counts nothing, and kept, one more stays for every address that "
        "ever sent until memory runs out (a flooder with many addresses fills it on purpose). Forget it once it is "
        "quiet, as later sockets or messages come: its own last socket closed while its window was full"
    )
    proved("sockets", 5)


async def test_five_messages_a_second_get_through_and_the_sixth_does_not(app):
    flooder_ip, neighbour_ip, listener_ip = addresses()
    async with never_blocks(STALL):
        listener, first = [await connect_from(app, a) for a in (listener_ip, flooder_ip)]
        await close_all(await connect_from(app, flooder_ip))  # a socket of the address comes and goes, quiet
        second = await connect_from(app, flooder_ip)
        await say(first, *(f"m{n}" for n in range(LIMIT)))
        heard = [await frame(listener) for _ in range(LIMIT)]
        assert messages_in(heard) == [f"m{n}" for n in range(LIMIT)] and not errors_in(await drain(first)), (
            f"one address sent exactly {LIMIT} messages within a second: the room must hear all of them in order, "
            f"with no error, it heard {heard}"
        )
        await drain(second)  # the room's 5 messages, which this socket hears too
        await say(second, "one too many")
        got = await frame(second)
        assert errors_in([got]) and await nothing_more(listener), (
            f"the address's {LIMIT + 1}th message within a second, from its second socket, must get "
            f'{{"error": ...}} on that socket and reach no one, it got {got} (a quiet socket of the address had come '
            "and gone before the second opened: a window forgotten then must not live on in a socket that holds it "
            "on self; look the address's window up for each message)"
        )
        assert not second.future.done(), "a refused message keeps its socket open"
        await close_all(listener, first, second)
    proved("boundaries", 2)


async def test_a_refused_message_costs_nothing_and_the_window_slides(app, monkeypatch):
    flooder_ip, _, listener_ip = addresses()
    async with never_blocks(STALL):
        listener, flooder = [await connect_from(app, a) for a in (listener_ip, flooder_ip)]
        clock = time.monotonic
        # A third into a second of the clock: the window is no clock second.
        await asyncio.sleep((0.3 - clock() % 1) % 1)
        await say(flooder, "early 0", "early 1", "early 2")
        await frame(listener)  # early 0 went through: counted before this moment
        monkeypatch.setattr(time, "time", lambda wall=time.time: wall() - 3600)  # NTP sets the wall clock back 1 h
        start = clock()
        await asyncio.sleep(start + PERIOD / 2 - clock())
        await say(flooder, "middle 0", "middle 1", *(f"refused {n}" for n in range(LIMIT)))  # the last 5 over the limit
        await drain(listener, 0.1)
        await drain(flooder, 0.1)
        await asyncio.sleep(start + PERIOD + 0.15 - clock())  # early ones over a second old, middle ones not
        await say(flooder, *(f"late {n}" for n in range(4)))
        heard = messages_in(await drain(listener))
        assert heard == ["late 0", "late 1", "late 2"], (
            f"an address sent 3 messages, half a second later 2 more and {LIMIT} refused ones, and a second after "
            f"the first 3 it sent 4: the room heard {heard} of those 4. In any 1 s at most {LIMIT} go through: the "
            "window slides, the first 3 have left it, a refused message is not counted in it, and the wall clock set "
            "back an hour after the first 3 changes nothing: time it with time.monotonic(), which never goes back"
        )
        await close_all(listener, flooder)
    proved("boundaries", 1)


async def two_sockets_send_4_each(app, sockets: list) -> tuple[int, int]:
    """(how many of their 8 messages the room heard, how many errors the two sockets got)."""
    _, _, listener_ip = addresses()
    async with never_blocks(STALL):
        listener = await connect_from(app, listener_ip)
        for communicator in sockets:
            assert (await communicator.connect(timeout=FRAME))[0], "expected the socket to be accepted"
            await say(communicator, *(f"message {n}" for n in range(4)))
        heard = messages_in(await drain(listener))
        refused = [len(errors_in(await drain(communicator, 0.05))) for communicator in sockets]
        await close_all(listener, *sockets)
    proved("boundaries", 1)
    return len(heard), sum(refused)


async def test_clients_with_no_address_share_one_limit(app):
    unknown = [WebsocketCommunicator(app, "/") for _ in range(2)]  # no "client" in the scope (a Unix socket)
    unknown[1].scope["client"] = None  # ASGI allows both: no "client", or None
    heard, refused = await two_sockets_send_4_each(app, unknown)
    assert (heard, refused) == (LIMIT, 3), (
        f"two sockets whose server gave no client address (no scope['client'], or None) sent 4 messages each: "
        f"the room heard {heard} and they got {refused} errors; expected {LIMIT} and 3. Clients whose "
        "address is unknown share one limit: they cannot be told apart, so none of them floods freely"
    )


async def test_clients_on_this_machine_are_limited_too(app):
    local = [WebsocketCommunicator(app, "/") for _ in range(2)]
    for port, communicator in enumerate(local, 50001):
        communicator.scope["client"] = ("127.0.0.1", port)  # every client, behind a proxy that passes no address
    heard, refused = await two_sockets_send_4_each(app, local)
    assert (heard, refused) == (LIMIT, 3), (
        f"two sockets from 127.0.0.1 sent 4 messages each: the room heard {heard} and they got {refused} errors; "
        f"expected {LIMIT} and 3. No address is exempt, not even this machine's: behind a proxy that passes no "
        "address every client is 127.0.0.1, and an exempt address floods freely"
    )


async def test_a_socket_leaves_the_room_however_its_consumer_ends(app):
    # A time.sleep however short, or another blocking wait over 80 ms in your lines, stops every socket as each leaves.
    async with StallInYourLines(), never_sleeps():
        await leaves_however_it_ends(app, GROUP, stall=STALL)


async def test_a_consumer_the_server_cancels_ends_cancelled(app):
    async with StallInYourLines(), never_sleeps():  # on a cancellation too
        await ends_cancelled(app)
