"""Check 05.1: a chat that answers a flood with errors, to the flooder alone."""

from channels.testing import WebsocketCommunicator

from exercises.checks import frame, nothing_more, target


async def two_sockets():
    module = target("05.1")
    alice = WebsocketCommunicator(module.FloodLimitedChatConsumer.as_asgi(), "/")
    bob = WebsocketCommunicator(module.FloodLimitedChatConsumer.as_asgi(), "/")
    assert (await alice.connect(timeout=1))[0] and (await bob.connect(timeout=1))[0], "expected both sockets accepted"
    return module, alice, bob


async def test_the_fourth_message_in_a_second_is_an_error_for_the_sender_only():
    module, alice, bob = await two_sockets()
    for n in range(module.LIMIT + 1):
        await alice.send_to(text_data=f"m{n}")
    heard = [await frame(bob) for _ in range(module.LIMIT)]
    expected = [{"message": f"m{n}"} for n in range(module.LIMIT)]
    assert heard == expected, f"expected the first {module.LIMIT} messages, got {heard}"
    assert await nothing_more(bob), "a message over the limit reached another socket: answer it with an error only"
    frames = [await frame(alice) for _ in range(module.LIMIT + 1)]
    assert any(isinstance(f, dict) and "error" in f for f in frames), (
        f'expected {{"error": ...}} for the flooder, and its socket kept open, got {frames}'
    )
    await alice.disconnect()
    await bob.disconnect()


async def test_one_socket_flooding_does_not_silence_another():
    module, alice, bob = await two_sockets()
    for n in range(module.LIMIT + 1):
        await alice.send_to(text_data=f"m{n}")
    await bob.send_to(text_data="bob speaks")
    heard = []
    while {"message": "bob speaks"} not in heard and len(heard) < module.LIMIT + 1:
        heard.append(await frame(bob))
    assert {"message": "bob speaks"} in heard, (
        f"bob's first message was refused after alice flooded, bob got {heard}: count each socket's messages on "
        "its own consumer (self), never on the class or the module"
    )
    await alice.disconnect()
    await bob.disconnect()
