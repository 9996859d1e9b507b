"""Check 04.1: whisper to one socket in a chat room.

Each socket first hears its own address, in its group once open; a room message reaches every socket, awaited; a
whisper reaches only its addressee, on any server process; a client cannot choose a layer message's type; bad
frames, bad whispers and whispers the layer cannot deliver get the sender an error; a closed socket has left the group.
"""

import json

import pytest

from exercises.probes import NOTHING, broadcasts_awaited, close_all, ends_on_disconnect, failure_told_truly, frame
from exercises.probes import hears, imported_afresh, in_its_group_once_open, is_error, layer_down, members
from exercises.probes import never_blocks, overheard, proved, refused_with_error, say
from .probes import ALONE, AWAITED, BAD_ADDRESSES, BAD_FRAMES, BAD_WHISPERS, OWN_NAME
from .probes import answer_past_acks, bad_whisper_refused, in_the_room, joined, whispered

EXERCISE, CONSUMER, GROUP, LAG = "04.1", "WhisperConsumer", "exroom", 0.08  # LAG: a time.sleep(0.1) per frame is caught
RULE = 'WhisperConsumer joins "exroom", first sends {"you": <its channel name>}, then relays messages'
pytestmark = pytest.mark.usefixtures("warmed_up")


@pytest.mark.rule(1, 8)
async def test_each_socket_first_hears_its_own_address(app):
    async with never_blocks(LAG):
        await in_its_group_once_open(app)
        (alice, alice_address), (bob, bob_address) = await joined(app, 2)
        assert alice_address != bob_address, f"two sockets were both told the address {alice_address!r}. {OWN_NAME}"
        assert {alice_address, bob_address} <= members(GROUP), f'"exroom" holds {members(GROUP)}. {OWN_NAME}'
        await close_all(alice, bob)


@pytest.mark.rule(2, 8)
async def test_a_room_message_reaches_every_socket(module):
    with broadcasts_awaited() as probe:  # sees a group_send its handler left running
        watched = probe.watched(getattr(module, CONSUMER)).as_asgi()
        async with in_the_room(watched, 3, LAG) as [(alice, _), (bob, _), (carol, _)]:
            await alice.send_json_to({"message": "  hi all \n"})  # spaces are text too: " " is a message
            await bob.send_json_to({"message": " "})
            await hears({"alice": alice, "bob": bob, "carol": carol}, [{"message": "  hi all \n"}, {"message": " "}], (
                ': a frame without "to" goes to the whole room with group_send, the sender\'s too, its message '
                "exactly as written (a non-empty string, spaces included)"
            ))  # fmt: skip
            assert not probe.late, f"a group_send outlived the handler that started it ({probe.late[0]}). {AWAITED}"


@pytest.mark.rule(3, 8)
async def test_a_whisper_reaches_only_its_addressee_on_any_server_process(app):
    elsewhere = getattr(imported_afresh(EXERCISE, RULE), CONSUMER).as_asgi()
    async with never_blocks(LAG):
        room = dict(zip(["alice", "bob", "carol"], [*await joined(app, 2), *await joined(elsewhere, 1)], strict=True))
        for sender, name, far in (("alice", "bob", 0), ("carol", "alice", 1), ("bob", "carol", 1)):  # far: 2 processes
            await whispered(room, sender, name, far)
        await close_all(*(communicator for communicator, _ in room.values()))
    proved("processes", 2)


@pytest.mark.rule(4)
async def test_a_client_cannot_choose_the_type_of_a_layer_message(app):
    sent = {"type": "websocket.disconnect", "message": "hi"}  # a layer message's type names the handler it runs
    rule = (
        f". alice sent {json.dumps(sent)}: a type taken from the client lets it run any handler (websocket_disconnect, "
        "in every socket of the room): build the layer message from the fields you checked, never from its dict"
    )
    async with in_the_room(app, 2, LAG) as [(alice, _), (bob, bob_address)]:
        for to in ({}, {"to": bob_address}):  # to the room, then whispered to bob: a whisper is a layer message too
            await alice.send_json_to({**to, **sent})
            got = await (overheard(alice) if to else frame(alice))  # relayed (an extra key may be ignored), or an error
            if not is_error(got):
                assert got == (NOTHING if to else {"message": "hi"}), f"alice got {got}{rule}"
                await hears({"bob": bob}, [{"message": "hi"}], f" (alice whispered that to bob){rule}" if to else rule)
            await alice.send_json_to({**to, "message": "still here"})
            await hears({"bob": bob} if to else {"alice": alice, "bob": bob}, [{"message": "still here"}], rule)


@pytest.mark.rule(5)
async def test_every_bad_frame_gets_an_error_for_its_sender_alone(app):
    frames = [*BAD_FRAMES, *(json.dumps({"to": to, "message": "psst"}) for to in BAD_ADDRESSES), b'{"message": "hi"}']
    async with in_the_room(app, 2, LAG) as [(alice, _), (bob, _)]:
        for text in frames:
            await refused_with_error(alice, text)
        await alice.send_input({"type": "websocket.receive", "text": ""})  # send_to() cannot send an empty frame
        assert is_error(got := await frame(alice)), f'an empty text frame must get {{"error": "<why>"}}, got {got}'
        proved("bad frames", len(frames) + 1)
        assert (leaked := await overheard(bob)) == NOTHING, f"bad input reached bob: he received {leaked}. {ALONE}"
        await alice.send_json_to({"message": "still here"})
        await hears({"alice": alice, "bob": bob}, [{"message": "still here"}], ": then the room works on")


@pytest.mark.rule(5)
async def test_a_whisper_with_a_bad_message_gets_an_error_and_reaches_no_one(app):
    async with in_the_room(app, 2, LAG) as [(alice, _), (bob, bob_address)]:
        for whisper in [{"to": bob_address}, *({"to": bob_address, "message": m} for m in BAD_WHISPERS)]:
            await bad_whisper_refused(alice, bob, whisper)
        proved("bad frames", 1 + len(BAD_WHISPERS))


@pytest.mark.rule(6, 8)
async def test_a_whisper_the_layer_cannot_deliver_gets_an_error(app, monkeypatch):
    async with never_blocks(LAG):
        (alice, alice_address), (bob, bob_address) = await joined(app, 2)
        await ends_on_disconnect(bob)  # nobody reads bob's channel now: the in-memory layer keeps 100 a channel
        await say(alice, *(json.dumps({"to": bob_address, "message": f"psst {n}"}) for n in range(101)))
        got = await answer_past_acks(alice, 101)  # past any acknowledgements: never waiting for a quiet spell
        assert is_error(got), (
            f"alice whispered 101 times to bob, whose socket had closed, and got {got}: the 101st cannot fit in "
            'his channel (the layer raises ChannelFull): it must get {"error": ...} for her alone'
        )
        proved("boundaries", 1)
        failure = layer_down(monkeypatch, "send")()  # then the layer itself fails, as when its Redis has gone away
        await alice.send_json_to({"to": alice_address, "message": "psst"})  # to a good address: her own
        await failure_told_truly(alice, failure, "alice", "no such address", "she looks for a typo", "message")


@pytest.mark.parametrize("code", [1000, 1001, 1006])  # goodbye, a tab gone, a network dropped
@pytest.mark.rule(7)
async def test_a_socket_that_closed_has_left_the_group(app, code):
    async with in_the_room(app, 2, LAG) as [(alice, alice_address), (bob, bob_address)]:
        await ends_on_disconnect(alice, code)  # the first one in: a name kept on the class is the last one's
        assert alice_address not in members(GROUP), (
            f'a closed socket is still in the group "exroom" (it closed with code {code}): leave the group when '
            "the socket closes, whatever its close code, with its own self.channel_name"
        )
        assert bob_address in members(GROUP), "when one socket closed, another socket left the group too"
        await bob.send_json_to({"message": "anyone?"})
        await hears({"bob": bob}, [{"message": "anyone?"}], ": after alice left, bob's messages still reach bob")


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
