"""Check 11.1: accept a token only in the first frame, within a deadline."""

import json

import pytest
from channels.testing import WebsocketCommunicator

from auth_demo.tokens import sign_user_id
from exercises.checks import answer, nothing_more, target


async def test_a_valid_token_gets_its_user_id():
    communicator = WebsocketCommunicator(target("11.1").FirstFrameTokenConsumer.as_asgi(), "/")
    assert (await communicator.connect(timeout=1))[0], "expected the socket to be accepted"
    await communicator.send_json_to({"token": sign_user_id(7)})
    got = await answer(communicator)
    assert got == {"type": "websocket.send", "text": json.dumps({"user_id": 7})}, (
        f'expected {{"user_id": 7}}, got {got}'
    )
    await communicator.disconnect()


@pytest.mark.parametrize("sent", ['{"token": "forged"}', "hello", '{"message": "hi"}', "[]"])
async def test_any_other_first_frame_closes_4401(sent):
    communicator = WebsocketCommunicator(target("11.1").FirstFrameTokenConsumer.as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_to(text_data=sent)
    got = await answer(communicator)
    assert got == {"type": "websocket.close", "code": 4401}, (
        f"{sent!r}: the first frame must carry a valid token, anything else closes with 4401, got {got}"
    )
    await communicator.disconnect()


async def test_silence_closes_4401_after_the_deadline(monkeypatch):
    consumer = target("11.1").FirstFrameTokenConsumer
    monkeypatch.setattr(consumer, "DEADLINE", 0.05, raising=False)
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/")
    await communicator.connect(timeout=1)
    got = await answer(communicator)
    assert got == {"type": "websocket.close", "code": 4401}, f"expected a close with 4401 after DEADLINE, got {got}"
    await communicator.disconnect()


async def test_a_valid_token_cancels_the_deadline(monkeypatch):
    consumer = target("11.1").FirstFrameTokenConsumer
    monkeypatch.setattr(consumer, "DEADLINE", 0.1, raising=False)
    communicator = WebsocketCommunicator(consumer.as_asgi(), "/")
    await communicator.connect(timeout=1)
    await communicator.send_json_to({"token": sign_user_id(7)})
    await answer(communicator)
    assert await nothing_more(communicator, timeout=0.5), (
        "the socket was closed after a valid token: cancel the deadline task on the first frame"
    )
    await communicator.disconnect()
