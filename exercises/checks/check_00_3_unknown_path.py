"""Check 00.3 (fix): a path no route claims is refused (close before accept: HTTP 403), never a crash (HTTP 500)."""

import pytest
from channels.testing import WebsocketCommunicator

from exercises.checks import answer
from exercises.checks.fixlab import load

RULE = (
    'End the routes with a catch-all, re_path(r""), last, to a consumer that answers websocket.connect with '
    "websocket.close: the handshake is refused (HTTP 403), never a 500"
)


def app():
    return load("00.3", RULE).application


@pytest.mark.parametrize("path", ["/ws/fix/ecoh/", "/ws/other/", "/"])
async def test_a_path_no_route_claims_is_refused_not_crashed(path):
    communicator = WebsocketCommunicator(app(), path)
    try:
        connected, _ = await communicator.connect(timeout=1)
    except ValueError as error:  # the server answers HTTP 500 and logs this
        raise AssertionError(f"{path}: the handshake crashed: ValueError: {error} {RULE}") from error
    except TimeoutError:
        raise AssertionError(f"{path}: the handshake got no answer within 1 s. {RULE}") from None
    assert not connected, f"{path}: the socket was accepted; an unknown path must be refused. {RULE}"


async def test_the_echo_route_still_works():
    communicator = WebsocketCommunicator(app(), "/ws/fix/echo/")
    connected, _ = await communicator.connect(timeout=1)
    assert connected, f"ws/fix/echo/ was refused: the catch-all must come after every other route. {RULE}"
    await communicator.send_to(text_data="hi")
    got = await answer(communicator)
    assert got == {"type": "websocket.send", "text": "hi"}, f'expected "hi" back on ws/fix/echo/, got {got}'
    await communicator.disconnect()
