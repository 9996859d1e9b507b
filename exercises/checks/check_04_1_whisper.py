"""Check 04.1: whisper to one socket in a chat room."""

from channels.testing import WebsocketCommunicator

from exercises.checks import target


async def joined():
    communicator = WebsocketCommunicator(target("04.1").WhisperConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    hello = await communicator.receive_json_from(timeout=1)
    assert "you" in hello, f'expected the first frame to be {{"you": <your channel name>}}, got {hello}'
    return communicator, hello["you"]


async def test_a_room_message_reaches_every_socket():
    (alice, _), (bob, _) = await joined(), await joined()
    await alice.send_json_to({"message": "hi all"})
    for name, communicator in (("alice", alice), ("bob", bob)):
        got = await communicator.receive_json_from(timeout=1)
        assert got == {"message": "hi all"}, f'expected {{"message": "hi all"}} on {name}\'s socket, got {got}'
    await alice.disconnect()
    await bob.disconnect()


async def test_a_whisper_reaches_only_its_addressee():
    (alice, _), (bob, bob_address), (carol, _) = await joined(), await joined(), await joined()
    await alice.send_json_to({"to": bob_address, "message": "psst"})
    got = await bob.receive_json_from(timeout=1)
    assert got == {"message": "psst"}, f'expected {{"message": "psst"}} on the other socket, got {got}'
    assert await carol.receive_nothing(timeout=0.1), "a whisper reached a third socket"
    assert await alice.receive_nothing(timeout=0.1), "a whisper came back to its sender"
    for communicator in (alice, bob, carol):
        await communicator.disconnect()
