"""Check 05.1: a chat that answers a flood with errors, to the flooder alone."""

from channels.testing import WebsocketCommunicator

from exercises.checks import target


async def test_the_fourth_message_in_a_second_is_an_error_for_the_sender_only():
    module = target("05.1")
    alice = WebsocketCommunicator(module.FloodLimitedChatConsumer.as_asgi(), "/")
    bob = WebsocketCommunicator(module.FloodLimitedChatConsumer.as_asgi(), "/")
    assert (await alice.connect(timeout=1))[0] and (await bob.connect(timeout=1))[0], "expected both sockets accepted"
    for n in range(module.LIMIT + 1):
        await alice.send_to(text_data=f"m{n}")
    heard = [(await bob.receive_json_from(timeout=1))["message"] for _ in range(module.LIMIT)]
    assert heard == [f"m{n}" for n in range(module.LIMIT)], f"expected the first {module.LIMIT} messages, got {heard}"
    assert await bob.receive_nothing(timeout=0.1), "a message over the limit reached another socket"
    frames = [await alice.receive_json_from(timeout=1) for _ in range(module.LIMIT + 1)]
    assert any("error" in frame for frame in frames), f'expected {{"error": ...}} for the flooder, got {frames}'
    await alice.disconnect()
    await bob.disconnect()
