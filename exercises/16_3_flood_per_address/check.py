"""Check 16.3 (fix): a chat's flood limit holds per client address, across all of its sockets.

Ten sockets from one address share its limit, whatever address they claim, and hold back no other address, not even
a neighbour's; closing its sockets gives an address no fresh window; five messages a second get through and the
sixth does not; a refused message costs nothing and the window slides; clients with no address share one limit, and
clients on this machine are limited too; a socket leaves the room however it ends; a cancelled consumer ends cancelled.
"""

import pytest

from exercises.probes import StallInYourLines, close_all, connect_from, drain, ends_cancelled, errors_in
from exercises.probes import holding, leaves_however_it_ends, messages_in, never_blocks, never_sleeps, next_frames
from exercises.probes import nothing_more, proved, say
from exercises.probes.floods import MONOTONIC, a_flood_beside_a_neighbour, a_window_that_slides
from exercises.probes.floods import addresses, answered, each_sends, sockets_in_turn

EXERCISE, CONSUMER, GROUP = "16.3", "ChatConsumer", "exflood16"
LIMIT, PERIOD, STALL = 5, 1.0, 0.25  # at most 5 messages in any 1 s, per client address; a busy box stalls for ms
SWEEP = 60  # seconds: an address quiet this long is forgotten, once others come and send
RULE = 'An address may send at most 5 messages in any 1 s, however many sockets it opens; the rest get {"error": ...}'
UNKNOWN = "Clients whose address is unknown share one limit: they cannot be told apart, so none of them floods freely"
HERE = "No address is exempt, not even this machine's: behind a proxy that passes none, every client is 127.0.0.1"
pytestmark = pytest.mark.usefixtures("warmed_up", "clock")  # first imports out of any stall; time the check moves


@pytest.mark.rule(2, 3, 5)
async def test_ten_sockets_from_one_address_share_its_limit_and_hold_back_no_other(app):
    (flooder_ip, neighbour_ip), heard, refused, closed = await a_flood_beside_a_neighbour(app, LIMIT, STALL)
    floods, hellos = ([message for message in heard if message.startswith(what)] for what in ("flood", "hello"))
    assert hellos == [f"hello {n}" for n in range(LIMIT)] and not refused[0], (
        f"a neighbour ({neighbour_ip}) sent {LIMIT} while a flooder ({flooder_ip}) was over its limit: the room "
        f"heard {hellos}, the sender got {refused[0]} errors. One address's flood never silences another's, "
        "not even a neighbour's on its network"
    )
    assert len(floods) == LIMIT, (
        f"one address sent 2 messages on each of 10 sockets at once, within a second: the room heard {len(floods)} "
        "of them. Its address is scope['client'][0]: each socket claimed another in X-Forwarded-For, X-Real-IP, "
        "Forwarded..., which any client can write; a message counts before its broadcast is awaited, in the "
        "address's one window, looked up as it comes (never one kept on self), and counted in the same step it is "
        "read in (a window read, then written back after an await, loses the counts of the sockets between)"
    )
    assert sum(refused) == 15, f"the 15 the room did not hear each get one error, the sockets got {refused[1:]}"
    assert not closed, "a flooder's socket was closed"


@pytest.mark.rule(2, 4, 5)
async def test_closing_its_sockets_gives_an_address_no_fresh_window(app, module, clock):
    flooder_ip, _, listener_ip = addresses()
    async with never_blocks(STALL):
        listener = await connect_from(app, listener_ip)
        await sockets_in_turn(app, flooder_ip, clock, [(3, 0.4), (3, 0), (LIMIT, 0)])  # (sent, then open for s)
        heard = messages_in(await drain(listener))
        assert len(heard) == LIMIT, (
            f"one address sent 3, 3 and {LIMIT} messages on three sockets in turn, within a second: the room heard "
            f"{len(heard)}, expected {LIMIT}. An address's window outlives its sockets: forget it once it is quiet"
        )
        await clock.passes(PERIOD + 0.1)  # the flooder's window now holds nothing of the last second
        for _ in range(SWEEP // 5):  # then a minute of others: a socket each 5 s comes and sends (on the clock alone)
            clock.now += 5
            await answered(later := await connect_from(app, listener_ip), "later")
            await close_all(later)
        await close_all(listener)
    assert not (held := holding(module, flooder_ip)), (
        f"{flooder_ip} was quiet for over a minute while a socket came and sent every 5 s, and {', '.join(held)} "
        "still holds it: kept, one more stays for every address that ever sent; forget quiet windows as others come "
        f"(at each message, each socket, or a sweep at least once every {SWEEP} s)"
    )
    proved("sockets", 5)


@pytest.mark.rule(1, 2, 4, 5)
async def test_five_messages_a_second_get_through_and_the_sixth_does_not(app):
    flooder_ip, _, listener_ip = addresses()
    async with never_blocks(STALL):
        listener, first = [await connect_from(app, a) for a in (listener_ip, flooder_ip)]
        await close_all(await connect_from(app, flooder_ip))  # a socket of the address comes and goes, quiet
        second = await connect_from(app, flooder_ip)
        await say(first, *(f"m{n}" for n in range(LIMIT)))
        heard = await next_frames(listener, LIMIT)
        assert messages_in(heard) == [f"m{n}" for n in range(LIMIT)] and not errors_in(await drain(first)), (
            f"one address sent {LIMIT} messages within a second: the room must hear them all, in order, it heard {heard}"
        )
        await drain(second)  # the room's 5 messages, which this socket hears too
        [got] = await answered(second, "one too many")
        assert errors_in([got]) and await nothing_more(listener), (
            f'the {LIMIT + 1}th within a second, from the address\'s second socket, must get {{"error": ...}} and reach '
            f"no one, it got {got}: a window forgotten then must not live on in a socket that holds it on self"
        )
        assert not second.future.done(), "a refused message keeps its socket open"
        await close_all(listener, first, second)
    proved("boundaries", 2)


@pytest.mark.rule(2)
async def test_a_refused_message_costs_nothing_and_the_window_slides(app, clock, monkeypatch):
    async with never_blocks(STALL):
        heard = await a_window_that_slides(app, clock, monkeypatch, LIMIT)
    assert heard == ["late 0", "late 1", "late 2"], (
        f"an address sent 3 messages, half a second later 2 more and {LIMIT} refused ones, and a second after the "
        f"first 3 it sent 4: the room heard {heard}: the window slides, a refused message is not counted, and "
        + MONOTONIC
    )
    proved("boundaries", 1)


@pytest.mark.rule(2)
@pytest.mark.parametrize("scopes", [[{}, {"client": None}], [{"client": ("127.0.0.1", p)} for p in (50001, 50002)]])
async def test_clients_with_no_address_or_on_this_machine_share_one_limit(app, scopes):
    async with never_blocks(STALL):
        heard, refused = await each_sends(app, scopes, 4, addresses()[2])  # 4 messages from each socket
    proved("boundaries", 1)
    who, why = ("from 127.0.0.1", HERE) if scopes[0] else ("whose server gave no address (a Unix socket)", UNKNOWN)
    assert (len(heard := messages_in(heard)), refused) == (LIMIT, 3), (
        f"two sockets {who} sent 4 each: the room heard {len(heard)}, they got {refused} errors, not 5 and 3: two "
        f"sockets of one address count in its one window, whenever each connected. {why}"
    )


@pytest.mark.rule(5)
async def test_a_socket_leaves_the_room_however_its_consumer_ends(app):
    async with StallInYourLines(), never_sleeps():  # a blocking wait in your lines stops every socket as each leaves
        await leaves_however_it_ends(app, GROUP, stall=STALL)


@pytest.mark.rule(5)
async def test_a_consumer_the_server_cancels_ends_cancelled(app):
    async with StallInYourLines(), never_sleeps():  # on a cancellation too
        await ends_cancelled(app)


# The standard battery of what this exercise builds (websocket consumer), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.sockets import (  # noqa: E402, F401
    test_no_frame_of_any_kind_crashes_the_consumer,
    test_it_ends_on_websocket_disconnect,
    test_a_bad_frame_reaches_no_other_socket,
    test_a_bad_frame_gets_the_answer_its_exercise_names,
    test_a_message_arrives_unchanged,
    test_a_layer_failure_is_told_never_swallowed,
    test_a_layer_failure_while_joining_is_told,
)
