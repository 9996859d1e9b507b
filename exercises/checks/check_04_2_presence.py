"""Check 04.2: tell the room who joins and who leaves."""

from channels.testing import WebsocketCommunicator

from exercises.checks import target


async def test_the_room_hears_a_join_and_a_leave():
    bob = WebsocketCommunicator(target("04.2").PresenceConsumer.as_asgi(), "/")
    assert (await bob.connect(timeout=1))[0], "expected the socket to be accepted"
    own = await bob.receive_json_from(timeout=1)
    assert "joined" in own, f'expected {{"joined": <name>}} for bob himself, got {own}'
    alice = WebsocketCommunicator(target("04.2").PresenceConsumer.as_asgi(), "/")
    await alice.connect(timeout=1)
    got = await bob.receive_json_from(timeout=1)
    assert set(got) == {"joined"} and got != own, f"expected {{\"joined\": <alice's name>}} on bob's socket, got {got}"
    await alice.disconnect()
    left = await bob.receive_json_from(timeout=1)
    assert left == {"left": got["joined"]}, f'expected {{"left": "{got["joined"]}"}} when alice left, got {left}'
    await bob.disconnect()
