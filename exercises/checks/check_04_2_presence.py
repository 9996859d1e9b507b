"""Check 04.2: tell the room who joins and who leaves."""

from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from exercises.checks import frame, target


async def joined_and_heard() -> tuple[WebsocketCommunicator, str]:
    communicator = WebsocketCommunicator(target("04.2").PresenceConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    own = await frame(communicator)
    assert isinstance(own, dict) and set(own) == {"joined"}, f'expected {{"joined": <name>}} for itself, got {own}'
    return communicator, own["joined"]


async def test_the_room_hears_a_join_and_a_leave():
    bob, bob_name = await joined_and_heard()
    alice, alice_name = await joined_and_heard()
    got = await frame(bob)
    assert got == {"joined": alice_name} and alice_name != bob_name, (
        f'expected {{"joined": "{alice_name}"}} (a name of her own) on bob\'s socket, got {got}'
    )
    await bob.disconnect()
    left = await frame(alice)
    assert left == {"left": bob_name}, (
        f'expected {{"left": "{bob_name}"}} when bob left, got {left}: each socket keeps its own name on self'
    )
    await alice.disconnect()


async def test_a_socket_that_closed_has_left_the_group():
    bob, _ = await joined_and_heard()
    members_before = set(get_channel_layer().groups.get("expresence", {}))
    await bob.disconnect()
    still_there = members_before & set(get_channel_layer().groups.get("expresence", {}))
    assert not still_there, 'a closed socket is still in the group "expresence": group_discard it on disconnect'
