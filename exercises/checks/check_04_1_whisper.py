"""Check 04.1: whisper to one socket in a chat room."""

from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from exercises.checks import frame, nothing_more, target


async def joined():
    communicator = WebsocketCommunicator(target("04.1").WhisperConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    hello = await frame(communicator)
    assert isinstance(hello, dict) and "you" in hello, (
        f'expected the first frame to be {{"you": <your channel name>}}, got {hello}'
    )
    return communicator, hello["you"]


async def test_a_room_message_reaches_every_socket():
    (alice, _), (bob, _) = await joined(), await joined()
    await alice.send_json_to({"message": "hi all"})
    for name, communicator in (("alice", alice), ("bob", bob)):
        got = await frame(communicator)
        assert got == {"message": "hi all"}, f'expected {{"message": "hi all"}} on {name}\'s socket, got {got}'
    await alice.disconnect()
    await bob.disconnect()


async def test_a_whisper_reaches_only_its_addressee():
    (alice, _), (bob, bob_address), (carol, _) = await joined(), await joined(), await joined()
    await alice.send_json_to({"to": bob_address, "message": "psst"})
    got = await frame(bob)
    assert got == {"message": "psst"}, f'expected {{"message": "psst"}} on the other socket, got {got}'
    assert await nothing_more(carol), "a whisper reached a third socket: channel_layer.send it to that one channel"
    assert await nothing_more(alice), "a whisper came back to its sender: channel_layer.send it to that one channel"
    for communicator in (alice, bob, carol):
        await communicator.disconnect()


async def test_a_socket_that_closed_has_left_the_group():
    alice, address = await joined()
    await alice.disconnect()
    members = get_channel_layer().groups.get("exroom", {})
    assert address not in members, (
        'a closed socket is still in the group "exroom": group_discard it in websocket_disconnect'
    )


async def test_a_frame_that_is_not_json_gets_an_error_and_the_socket_stays_open():
    alice, _ = await joined()
    await alice.send_to(text_data="not json")
    got = await frame(alice)
    assert isinstance(got, dict) and "error" in got, f'bad input gets {{"error": ...}}, got {got}'
    await alice.send_json_to({"message": "still here"})
    got = await frame(alice)
    assert got == {"message": "still here"}, f"after an error frame the socket stays open, got {got}"
    await alice.disconnect()


async def test_a_whisper_to_an_address_that_is_no_channel_name_gets_an_error():
    alice, _ = await joined()
    await alice.send_json_to({"to": "not a channel!", "message": "psst"})
    got = await frame(alice)
    assert isinstance(got, dict) and "error" in got, (
        f'the layer refuses a channel name with spaces: expected {{"error": ...}}, got {got}'
    )
    await alice.disconnect()
