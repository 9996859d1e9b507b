"""Check 04.1: whisper to one socket in a chat room."""

import json
from types import SimpleNamespace

import pytest

from exercises.probes import (
    NOTHING,
    broadcasts_awaited,
    close_all,
    ends_on_disconnect,
    imported_afresh,
    in_its_group_once_open,
    load,
    members,
    never_blocks,
    nothing_more,
    proved,
    refused_with_error,
    sockets,
    warm_up,
)
from exercises.probes import text_frame as frame  # a frame whose text is bytes is named, not decoded
from lessons.channel_config import IN_MEMORY

RULE = 'WhisperConsumer joins "exroom", first sends {"you": <its channel name>}, then relays messages'
GROUP = "exroom"
# The longest stall allowed in your code: only a stall with your file on the loop's stack counts, so a busy machine
# is not blamed, and a time.sleep(0.1) "flood guard" per frame is caught.
LAG = 0.08


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """The in-memory layer whatever REDIS_URL says: its groups can be read, no stale members from a Redis."""
    settings.CHANNEL_LAYERS = IN_MEMORY


@pytest.fixture(autouse=True)
async def warmed_up(in_memory_layer):
    """One socket opened and closed before the loop-lag measure starts: first imports and threads take time."""
    await warm_up(load("04.1", RULE).WhisperConsumer.as_asgi())


# Every shape but the right one (bad_frames() without its Hypothesis draws, which cost seconds under pytest).
BAD_FRAMES = [" ", "not json", "{", '{"message": ', "nan", "\u00e9t\u00e9"]
BAD_FRAMES += [json.dumps(v) for v in (None, True, 0, -1.5, 1e308, "text", "", [], ["message"], {}, {"other": "hi"})]
BAD_FRAMES += [json.dumps({"message": v}) for v in (None, False, 1, 2.5, [], ["hi"], {}, {"x": "hi"}, "")]
BAD_FRAMES += ['{"message": "\\ud800"}', '{"message": "hi\\udfff"}']  # lone surrogates: valid JSON, no UTF-8
BAD_FRAMES += ["[" * 100_000]  # nested too deep to decode: json.loads raises RecursionError, not ValueError


async def joined(count: int, module=None) -> list[tuple]:
    """`count` sockets in the room at once, each with the address its first frame gave (`module`: another process)."""
    opened = await sockets((module or load("04.1", RULE)).WhisperConsumer.as_asgi(), "/", count=count)
    found = []
    for communicator in opened:
        hello = await frame(communicator)
        assert isinstance(hello, dict) and set(hello) == {"you"} and isinstance(hello["you"], str), (
            f'expected the first frame to be {{"you": <your channel name>}}, got {hello}: '
            "a client can only be whispered to once it knows its address"
        )
        found.append((communicator, hello["you"]))
    return found


async def test_each_socket_first_hears_its_own_address():
    async with never_blocks(LAG):
        await in_its_group_once_open(load("04.1", RULE).WhisperConsumer.as_asgi())
        (alice, alice_address), (bob, bob_address) = await joined(2)
        assert alice_address != bob_address, (
            f"two sockets were both told their address is {alice_address!r}: each socket has a channel name of "
            "its own (self.channel_name), and that is the address to give"
        )
        room = members(GROUP)
        for address in (alice_address, bob_address):
            assert address in room, (
                f'the address {address!r} is not a channel in the group "exroom" ({sorted(room)}): '
                "send each socket its own self.channel_name, the name it joined the room with"
            )
        await close_all(alice, bob)


async def test_a_room_message_reaches_every_socket():
    async with never_blocks(LAG):
        with broadcasts_awaited() as probe:  # sees a group_send its handler left running
            watched = SimpleNamespace(WhisperConsumer=probe.watched(load("04.1", RULE).WhisperConsumer))
            (alice, _), (bob, _), (carol, _) = await joined(3, watched)
            # A message goes round exactly as written: spaces are text too, and " " is a non-empty message.
            await alice.send_json_to({"message": "  hi all \n"})
            await bob.send_json_to({"message": " "})
            for name, communicator in (("alice", alice), ("bob", bob), ("carol", carol)):
                heard = [await frame(communicator), await frame(communicator)]
                assert heard == [{"message": "  hi all \n"}, {"message": " "}], (
                    f'expected {{"message": "  hi all \\n"}} then {{"message": " "}} on {name}\'s socket, got '
                    f'{heard}: a frame without "to" goes to the whole room with group_send, the sender\'s too, its '
                    "message exactly as written (a non-empty string, spaces included)"
                )
            assert not probe.late, (
                f"a group_send outlived the handler that started it ({probe.late[0]}): a broadcast handed to a task "
                "(asyncio.ensure_future, create_task) is one no handler waits for, so its error is lost and a "
                "later message can overtake it on Redis. Await each group_send in websocket_receive"
            )
            await close_all(alice, bob, carol)


async def test_a_whisper_reaches_only_its_addressee():
    async with never_blocks(LAG):
        (alice, alice_address), (bob, bob_address), (carol, _) = await joined(3)
        for sender, to, addressee, others in (
            (alice, bob_address, ("bob", bob), (("alice (the sender)", alice), ("carol", carol))),
            (carol, alice_address, ("alice", alice), (("carol (the sender)", carol), ("bob", bob))),
        ):
            await sender.send_json_to({"to": to, "message": "psst"})
            got = await frame(addressee[1])
            assert got == {"message": "psst"}, (
                f'expected {{"message": "psst"}} on {addressee[0]}\'s socket, the one whispered to, got {got}'
            )
            for name, other in others:
                assert await nothing_more(other, 0.1), (
                    f"a whisper to {addressee[0]} reached {name} too: a whisper goes with channel_layer.send "
                    "to that one channel, not to the group"
                )
        await close_all(alice, bob, carol)


async def test_a_whisper_reaches_a_socket_on_another_server_process():
    # Two server processes share one layer (Redis), not their memory: each imports the file afresh, classes and all.
    elsewhere = imported_afresh("04.1", RULE)
    async with never_blocks(LAG):
        ((alice, alice_address),) = await joined(1)
        ((bob, bob_address),) = await joined(1, elsewhere)
        for sender, to, name, addressee in ((alice, bob_address, "bob", bob), (bob, alice_address, "alice", alice)):
            await sender.send_json_to({"to": to, "message": "psst"})
            got = await frame(addressee)
            assert got == {"message": "psst"}, (
                f"a whisper to {name}, whose socket another server process serves, got {name} {got} (and the sender "
                f"{await frame(sender, 0.1)}): two processes share the layer, not their memory, so a list of the "
                "room's members kept in the class or the module knows only its own process's sockets. Whisper to "
                "any address the layer takes as a channel name"
            )
        await close_all(alice, bob)
    proved("processes", 2)


async def test_a_client_cannot_choose_the_type_of_a_layer_message():
    sent = {"type": "websocket.disconnect", "message": "hi"}
    rule = (
        f"alice sent {json.dumps(sent)}: a layer message's type names the handler every receiver runs, so a type "
        "taken from the client lets it run any handler (here websocket_disconnect, in every socket of the room). "
        "Build the layer message from the fields you checked, never from the client's dict"
    )
    async with never_blocks(LAG):
        (alice, _), (bob, bob_address) = await joined(2)
        await alice.send_json_to(sent)
        got = await frame(alice)
        relayed = got == {"message": "hi"}  # an extra key may be ignored, or refused with an error
        assert relayed or (isinstance(got, dict) and isinstance(got.get("error"), str)), f"alice got {got}. {rule}"
        if relayed:
            got = await frame(bob)
            assert got == {"message": "hi"}, f"bob got {got}. {rule}"
        await alice.send_json_to({"message": "still here"})
        for name, communicator in (("alice", alice), ("bob", bob)):
            got = await frame(communicator)
            assert got == {"message": "still here"}, f'then {name} got {got} for {{"message": "still here"}}. {rule}'
        await alice.send_json_to({"to": bob_address, **sent})  # a whisper is a layer message too
        quiet = await nothing_more(alice, 0.1)  # relayed to bob as a chat.message, or refused with alice's error
        got = await frame(bob if quiet else alice)
        ok = got == {"message": "hi"} if quiet else isinstance(got, dict) and isinstance(got.get("error"), str)
        assert ok, f"alice whispered that to bob, and {'bob' if quiet else 'alice'} got {got}. {rule}"
        await alice.send_json_to({"to": bob_address, "message": "still here?"})
        got = await frame(bob)
        assert got == {"message": "still here?"}, f"then bob got {got} for a whisper. {rule}"
        await close_all(alice, bob)


async def test_every_bad_frame_gets_an_error_for_its_sender_alone():
    addresses = [None, 5, ["x"], {}, "", "not a channel!", "a" * 100]
    extra = [json.dumps({"to": to, "message": "psst"}) for to in addresses]
    frames = [*BAD_FRAMES, *extra]
    async with never_blocks(LAG):
        (alice, _), (bob, _) = await joined(2)
        for text in frames:
            if text:
                await refused_with_error(alice, text)
        await alice.send_input({"type": "websocket.receive", "text": ""})  # send_to() cannot send an empty frame
        got = await frame(alice)
        assert isinstance(got, dict) and isinstance(got.get("error"), str), (
            f'an empty text frame must get {{"error": "<why>"}}, got {got}'
        )
        await alice.send_to(bytes_data=b'{"message": "hello"}')
        got = await frame(alice)
        assert isinstance(got, dict) and isinstance(got.get("error"), str), (
            f'a binary frame must get {{"error": "<why>"}}: this room speaks text frames, got {got}'
        )
        proved("bad frames", len(frames) + 1)
        leaked = NOTHING if await nothing_more(bob, 0.1) else await frame(bob)
        assert leaked == NOTHING, (
            f"bad input reached another socket: bob received {leaked}. Bad input gets an error for its sender "
            'alone: a frame is relayed only with a non-empty "message", and a "to" never falls back to the room'
        )
        await alice.send_json_to({"message": "still here"})
        for name, communicator in (("alice", alice), ("bob", bob)):
            got = await frame(communicator)
            assert got == {"message": "still here"}, (
                f'after the error frames the room still works: expected {{"message": "still here"}} on '
                f"{name}'s socket, got {got}"
            )
        await close_all(alice, bob)


async def test_a_whisper_with_a_bad_message_gets_an_error_and_reaches_no_one():
    async with never_blocks(LAG):
        (alice, _), (bob, bob_address) = await joined(2)
        whispers = [{"to": bob_address}]
        whispers += [{"to": bob_address, "message": v} for v in (None, "", 5, ["hi"], {"x": "hi"}, "\ud800")]
        for whisper in whispers:
            text = json.dumps(whisper)
            await alice.send_to(text_data=text)
            got = await frame(alice)
            heard = NOTHING if await nothing_more(bob, 0.05) else await frame(bob)
            assert heard == NOTHING, (
                f'alice whispered {text[:90]} to bob, and bob received {heard}: a whisper\'s "message" is checked as '
                'a room message\'s is (a non-empty string of valid Unicode) before it goes anywhere, whatever "to" says'
            )
            assert isinstance(got, dict) and isinstance(got.get("error"), str), (
                f'alice whispered {text[:90]} to bob: a whisper without a good "message" must get {{"error": "<why>"}} '
                f"for its sender, got {got}"
            )
        proved("bad frames", len(whispers))
        await close_all(alice, bob)


async def test_a_whisper_to_an_address_that_is_no_channel_name_gets_an_error():
    async with never_blocks(LAG):
        (alice, _), (bob, _) = await joined(2)
        for to in ("not a channel!", "a" * 100, 42):
            await alice.send_json_to({"to": to, "message": "psst"})
            got = await frame(alice)
            assert isinstance(got, dict) and isinstance(got.get("error"), str), (
                f'the layer refuses {to!r} as a channel name (TypeError): expected {{"error": ...}} for the '
                f"sender, got {got}"
            )
        proved("boundaries", 3)
        assert await nothing_more(bob, 0.1), "a whisper to a bad address reached another socket"
        await close_all(alice, bob)


async def test_whispers_to_a_socket_that_has_gone_get_an_error_once_its_channel_is_full():
    async with never_blocks(LAG):
        (alice, _), (bob, bob_address) = await joined(2)
        await ends_on_disconnect(
            bob
        )  # nobody reads bob's channel now: the in-memory layer keeps 100 messages a channel
        for n in range(101):
            await alice.send_json_to({"to": bob_address, "message": f"psst {n}"})
        # Wait for the answer, not for a quiet spell: on a busy machine 101 frames take a while to handle.
        got, acks = await frame(alice), 0
        while isinstance(got, dict) and "error" not in got and acks < 101:  # a whisper acknowledged, if any are
            got, acks = await frame(alice), acks + 1
        assert isinstance(got, dict) and isinstance(got.get("error"), str), (
            f"alice whispered 101 times to bob, whose socket had closed, and got {got}: the 101st cannot fit in "
            'his channel (the layer raises ChannelFull): it must get {"error": ...} for her alone'
        )
        proved("boundaries", 1)
        await close_all(alice)


# How a socket may close: the client said goodbye (1000), its tab went away (1001), its network dropped (1006).
@pytest.mark.parametrize("code", [1000, 1001, 1006])
async def test_a_socket_that_closed_has_left_the_group(code):
    async with never_blocks(LAG):
        (alice, alice_address), (bob, bob_address) = await joined(2)
        await ends_on_disconnect(alice, code)  # the first one in: a name kept on the class is the last one's
        room = members(GROUP)
        assert alice_address not in room, (
            f'a closed socket is still in the group "exroom" (it closed with code {code}): every message to the '
            "room is queued for a channel nobody reads; leave the group when the socket closes (websocket_disconnect), "
            "whatever its close code, with this socket's own self.channel_name"
        )
        assert bob_address in room, "when one socket closed, another socket left the group too"
        await bob.send_json_to({"message": "anyone?"})
        got = await frame(bob)
        assert got == {"message": "anyone?"}, (
            f"after alice left, bob's room message must still reach bob, got {got}: one socket leaving "
            "changes nothing for the others"
        )
        await close_all(bob)
