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

from exercises.probes import FRAME, close_all, connect_from, drain, ends_cancelled, errors_in, frame, messages_in
from exercises.probes import leaves_however_it_ends, never_blocks, never_sleeps, nothing_more, proved, say
from exercises.probes import slow_broadcasts, StallInYourLines

EXERCISE, CONSUMER, GROUP = "16.3", "ChatConsumer", "exflood16"
LIMIT, PERIOD = 5, 1.0  # the exercise's contract: at most 5 messages in any 1 s, per client address
STALL = 0.25  # a blocking call stalls the loop as long as it blocks; a loaded machine, tens of ms
RULE = 'An address may send at most 5 messages in any 1 s, however many sockets it opens; the rest get {"error": ...}'
HOSTS = itertools.count(1)


def addresses() -> tuple[str, str, str]:
    """A flooder, a neighbour on its network and a listener, new to this process: no earlier test's messages count."""
    n = next(HOSTS)
    return f"203.0.113.{n}", f"203.0.113.{n + 100}", f"192.0.2.{n}"


def remembered(module, address: str) -> list[str]:
    """The module's dicts, lists, sets and deques (its classes' too) that still hold `address`, by name."""
    classes = [(n, c) for n, c in vars(module).items() if isinstance(c, type) and c.__module__ == module.__name__]
    found = [*vars(module).items(), *((f"{n}.{key}", item) for n, c in classes for key, item in vars(c).items())]
    return [name for name, held in found if isinstance(held, dict | list | set | deque) and address in held]


async def test_ten_sockets_from_one_address_share_its_limit(app):
    flooder_ip, _, listener_ip = addresses()
    with slow_broadcasts(0.05):  # a broadcast takes a moment, as on Redis: other sockets run meanwhile
        async with never_blocks(STALL):
            listener, flooder = await connect_from(app, listener_ip), []
            for n in range(10):  # a flooder opens a socket, claims another address, floods on it, opens the next
                flooder.append(await connect_from(app, flooder_ip, claims=f"10.0.0.{n}"))
                await say(flooder[-1], f"flood {n}a", f"flood {n}b")
            proved("sockets", 11)
            heard = messages_in(await drain(listener))
            # The room has been quiet for 0.2 s: every answer is already waiting on the flooder's sockets.
            refused = [len(errors_in(await drain(communicator, quiet=0.05))) for communicator in flooder]
            assert len(heard) == LIMIT, (
                f"one address sent 2 messages on each of 10 sockets within a second: the room heard {len(heard)} of "
                "them. Its address is scope['client'][0]: each socket claimed another in X-Forwarded-For, X-Real-IP, "
                "Forwarded..., which any client can write; and a message counts before its broadcast is awaited"
            )
            assert sum(refused) == 15, f"the 15 the room did not hear each get one error, the sockets got {refused}"
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
            f"a neighbour ({neighbour_ip}) sent {LIMIT} while a flooder ({flooder_ip}) was over its limit: the room "
            f"heard {hellos}, the sender got {len(errors_in(own))} errors. One address's flood never silences "
            "another's, not even a neighbour's on its network"
        )
        assert len(heard) == 2 * LIMIT, f"the room must hear the flooder's first {LIMIT} and the neighbour's {LIMIT}"
        await close_all(listener, flooder, neighbour)


async def test_closing_its_sockets_gives_an_address_no_fresh_window(app, module):
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
            f"one address sent 3, 3 and {LIMIT} messages on three sockets in turn, within a second: the room heard "
            f"{len(heard)}, expected {LIMIT}. An address's window outlives its sockets: forget it once it is quiet"
        )
        await asyncio.sleep(PERIOD + 0.1)  # the flooder's window now holds nothing of the last second
        later = await connect_from(app, listener_ip)  # then another socket comes, and sends
        await say(later, "later")
        await close_all(listener, later)
    assert not (holding := remembered(module, flooder_ip)), (
        f"{flooder_ip} was quiet for over a second, then another socket came and sent, and {', '.join(holding)} still "
        "holds it: kept, one more stays for every address that ever sent; forget a quiet window as others come"
    )
    proved("sockets", 5)


async def test_five_messages_a_second_get_through_and_the_sixth_does_not(app):
    flooder_ip, _, listener_ip = addresses()
    async with never_blocks(STALL):
        listener, first = [await connect_from(app, a) for a in (listener_ip, flooder_ip)]
        await close_all(await connect_from(app, flooder_ip))  # a socket of the address comes and goes, quiet
        second = await connect_from(app, flooder_ip)
        await say(first, *(f"m{n}" for n in range(LIMIT)))
        heard = [await frame(listener) for _ in range(LIMIT)]
        assert messages_in(heard) == [f"m{n}" for n in range(LIMIT)] and not errors_in(await drain(first)), (
            f"one address sent {LIMIT} messages within a second: the room must hear them all, in order, it heard {heard}"
        )
        await drain(second)  # the room's 5 messages, which this socket hears too
        await say(second, "one too many")
        got = await frame(second)
        assert errors_in([got]) and await nothing_more(listener), (
            f'the {LIMIT + 1}th within a second, from the address\'s second socket, must get {{"error": ...}} and reach '
            f"no one, it got {got}: a window forgotten then must not live on in a socket that holds it on self"
        )
        assert not second.future.done(), "a refused message keeps its socket open"
        await close_all(listener, first, second)
    proved("boundaries", 2)


async def test_a_refused_message_costs_nothing_and_the_window_slides(app, monkeypatch):
    flooder_ip, _, listener_ip = addresses()
    async with never_blocks(STALL):
        listener, flooder = [await connect_from(app, a) for a in (listener_ip, flooder_ip)]
        clock = time.monotonic
        await asyncio.sleep(
            (0.3 - clock() % 1) % 1
        )  # a third into a second of the clock: the window is no clock second
        await say(flooder, "early 0", "early 1", "early 2")
        await frame(listener)  # early 0 went through: counted before this moment
        monkeypatch.setattr(time, "time", lambda wall=time.time: wall() - 3600)  # NTP sets the wall clock back 1 h
        start = clock()
        await asyncio.sleep(start + PERIOD / 2 - clock())
        await say(flooder, "middle 0", "middle 1", *(f"refused {n}" for n in range(LIMIT)))  # the last 5 over the limit
        await drain(listener, flooder, quiet=0.1)
        await asyncio.sleep(start + PERIOD + 0.15 - clock())  # early ones over a second old, middle ones not
        await say(flooder, *(f"late {n}" for n in range(4)))
        heard = messages_in(await drain(listener))
        assert heard == ["late 0", "late 1", "late 2"], (
            f"an address sent 3 messages, half a second later 2 more and {LIMIT} refused ones, and a second after the "
            f"first 3 it sent 4: the room heard {heard} of those 4: the window slides, a refused message is not "
            "counted, and the wall clock set back an hour changes nothing: time it with time.monotonic(), which never "
            "goes back"
        )
        await close_all(listener, flooder)
    proved("boundaries", 1)


async def two_sockets_send_4_each(app, scopes: list[dict], who: str, why: str) -> None:
    """Two sockets, each scope with its own more, send 4 messages each in a second: the room hears 5, they get 3 errors."""
    async with never_blocks(STALL):
        listener, sockets = await connect_from(app, addresses()[2]), [WebsocketCommunicator(app, "/") for _ in scopes]
        for communicator, more in zip(sockets, scopes, strict=True):
            communicator.scope.update(more)  # the application has not started yet: in time
            assert (await communicator.connect(timeout=FRAME))[0], "expected the socket to be accepted"
            await say(communicator, *(f"message {n}" for n in range(4)))
        heard = messages_in(await drain(listener))
        refused = sum([len(errors_in(await drain(communicator, quiet=0.05))) for communicator in sockets])
        await close_all(listener, *sockets)
    proved("boundaries", 1)
    assert (len(heard), refused) == (LIMIT, 3), (
        f"two sockets {who} sent 4 messages each: the room heard {len(heard)}, they got {refused} errors, not 5 and 3. "
        f"{why}"
    )


async def test_clients_with_no_address_share_one_limit(app):
    why = "Clients whose address is unknown share one limit: they cannot be told apart, so none of them floods freely"
    await two_sockets_send_4_each(app, [{}, {"client": None}], "whose server gave no address (a Unix socket)", why)


async def test_clients_on_this_machine_are_limited_too(app):
    why = "No address is exempt, not even this machine's: behind a proxy that passes none, every client is 127.0.0.1"
    await two_sockets_send_4_each(
        app, [{"client": ("127.0.0.1", port)} for port in (50001, 50002)], "from 127.0.0.1", why
    )


async def test_a_socket_leaves_the_room_however_its_consumer_ends(app):
    # A time.sleep however short, or another blocking wait over 80 ms in your lines, stops every socket as each leaves.
    async with StallInYourLines(), never_sleeps():
        await leaves_however_it_ends(app, GROUP, stall=STALL)


async def test_a_consumer_the_server_cancels_ends_cancelled(app):
    async with StallInYourLines(), never_sleeps():  # on a cancellation too
        await ends_cancelled(app)
