"""Check 01.2: shout back, close with 4000 on bye."""

from channels.testing import WebsocketCommunicator

from exercises.checks import answer, target


async def test_text_comes_back_in_capitals():
    communicator = WebsocketCommunicator(target("01.2").ShoutConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await communicator.send_to(text_data="hello")
    got = await answer(communicator)
    assert got == {"type": "websocket.send", "text": "HELLO"}, f'expected "HELLO", got {got}'
    await communicator.disconnect()


async def test_bye_closes_the_socket_with_4000():
    communicator = WebsocketCommunicator(target("01.2").ShoutConsumer.as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_to(text_data="bye")
    got = await answer(communicator)
    assert got == {"type": "websocket.close", "code": 4000}, f"expected a close with code 4000, got {got}"
    await communicator.disconnect()
