"""Check 16.4 (fix): started with DEBUG off, in any spelling, the server refuses its hazard demo and serves the rest.

Each test imports your file afresh with DEBUG set in the environment, as a
server process started that way imports it.
"""

import os
from unittest import mock

import pytest
from channels.testing import WebsocketCommunicator

from exercises.probes import FRAME, close_all, frame, imported_afresh, proved

RULE = (
    "With DEBUG off (0, false, no, off, in any case) the hazard demo ws/scope/<name>/ is refused (HTTP 403); "
    "with DEBUG on (1, true, yes, on, in any case) it is served; ws/echo/ is served either way"
)
COOKIE = "sessionid=ada-s3cret-session"
OFF = ["0", "false", "False", "FALSE", "no", "NO", "off", "Off"]
ON = ["1", "true", "True", "TRUE", "tRuE", "yes", "Yes", "yEs", "on", "ON", "oN"]  # any case: not a list of cases
NEITHER = ["", "0 ", " off", "disabled", "flase", "2"]  # an empty line, an env file's spaces, a typo
NEITHER += ["none", "10"]  # words that hold a way to say on ("on", "1") without being one: the whole value counts
NEITHER += ["y", "t"]  # on for distutils' strtobool and the usual str2bool snippet, not for this switch's four words


def server(debug: str):
    """Your router, from your file imported afresh with DEBUG=<debug> in the environment."""
    return imported_afresh("16.4", RULE, {"DEBUG": debug}).application


async def handshake(application, path: str) -> tuple[bool, object]:
    """Open `path` with a session cookie: whether the socket was accepted, and the first frame if one came."""
    communicator = WebsocketCommunicator(application, path, headers=[(b"cookie", COOKIE.encode())])
    connected, _ = await communicator.connect(timeout=FRAME)
    first = await frame(communicator) if connected and "/scope/" in path else None
    await close_all(communicator)
    return connected, first


@pytest.mark.rule(3)
async def test_started_with_debug_unset_the_server_still_starts():
    unset = (
        "A server started with DEBUG unset (a laptop, a test run, a container that sets nothing) must start and "
        "serve ws/echo/: os.environ.get returns its default as it is, so give a string, "
        'os.environ.get("DEBUG", "1"), never True, which has no .strip() nor .lower()'
    )
    with mock.patch.dict(os.environ):
        os.environ.pop("DEBUG", None)
        application = imported_afresh("16.4", unset).application
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    connected, _ = await communicator.connect(timeout=FRAME)
    assert connected, f"with DEBUG unset, ws/echo/ was refused. {unset}"
    await close_all(communicator)


@pytest.mark.rule(1, 2)
async def test_started_with_debug_0_the_server_refuses_the_scope_echo():
    connected, first = await handshake(server("0"), "/ws/scope/ada/")
    assert not connected, (
        f"a server started with DEBUG=0, as production is, accepted ws/scope/ada/ and sent the page {first}: any "
        "page that opens it gets the visitor's session cookie. In production a hazard demo's handshake is refused"
    )


@pytest.mark.rule(1, 2)
async def test_every_spelling_of_off_refuses_the_hazard_demo():
    served = [value for value in OFF if (await handshake(server(value), "/ws/scope/ada/"))[0]]
    assert served == [], f"a server started with DEBUG set to any of {served} served ws/scope/ada/. {RULE}"
    proved("boundaries", len(OFF))


@pytest.mark.rule(1, 2)
async def test_a_value_that_is_neither_on_nor_off_serves_no_hazard_demo():
    served = []
    for value in NEITHER:
        try:
            application = server(value)
        except pytest.fail.Exception:  # refusing to start on a value it cannot read is safe too
            continue
        if (await handshake(application, "/ws/scope/ada/"))[0]:
            served.append(value)
    assert served == [], (
        f"a server started with DEBUG set to any of {served}, none of them a way to say on, served ws/scope/ada/ "
        "and its cookies: a switch that guards a hazard fails closed. Only 1, true, yes or on (in any case) turn "
        "it on; anything else is off (strtobool's y and t too: a borrowed parser says on for more words)"
    )
    proved("boundaries", len(NEITHER))


@pytest.mark.rule(1, 2)
async def test_every_spelling_of_on_still_serves_the_hazard_demo():
    for value in ON:
        connected, first = await handshake(server(value), "/ws/scope/ada/")
        assert connected and isinstance(first, dict) and first.get("headers", {}).get("cookie") == COOKIE, (
            f"a server started with DEBUG={value}, a laptop, must serve ws/scope/ada/ (it shows a student what "
            f"the handshake carried), got {'the socket refused' if not connected else first}. {RULE}"
        )
    proved("boundaries", len(ON))


@pytest.mark.rule(3)
async def test_the_safe_echo_is_served_on_and_off():
    for value in ("0", "1"):
        communicator = WebsocketCommunicator(server(value), "/ws/echo/")
        connected, _ = await communicator.connect(timeout=FRAME)
        assert connected, f"a server started with DEBUG={value} refused ws/echo/: a safe route is served either way"
        await communicator.send_to(text_data="hello")
        got = await frame(communicator)
        assert got == "hello", f"ws/echo/ must send each text frame back, got {got}"
        await close_all(communicator)


@pytest.mark.rule(4)
async def test_an_unknown_path_is_refused_on_and_off():
    for value in ("0", "1"):
        connected, _ = await handshake(server(value), "/ws/nowhere/")
        assert not connected, f"a server started with DEBUG={value} accepted ws/nowhere/, a path no route claims"


# The standard battery of what this exercise builds (routing), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
from exercises.battery.others import test_a_path_with_more_before_or_after_a_route_is_refused  # noqa: E402, F401
