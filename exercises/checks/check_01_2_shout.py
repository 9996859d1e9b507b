"""Check 01.2: shout back, close with 4000 on bye."""

from channels.testing import WebsocketCommunicator

from exercises.checks import answer, target


async def test_the_consumer_stops_after_disconnect():
    communicator = WebsocketCommunicator(target("01.2").ShoutConsumer.as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.disconnect(timeout=1)
    assert not communicator.future.cancelled(), "the consumer never ended: raise StopConsumer() in websocket_disconnect"


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
    assert got == {"type": "websocket.close", "code": 4000}, f"expected a close with code 4000 (the application's own range, 4000-4999) and no frame first, got {got}"
    await communicator.disconnect()


async def test_a_binary_frame_gets_no_answer_and_the_socket_stays_open():
    communicator = WebsocketCommunicator(target("01.2").ShoutConsumer.as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_to(bytes_data=b"\x00")
    await communicator.send_to(text_data="still here")
    got = await answer(communicator)
    assert got == {"type": "websocket.send", "text": "STILL HERE"}, (
        f'a binary frame has no "text" (event.get("text") is None): after one, expected "STILL HERE", got {got}'
    )
    await communicator.disconnect()
