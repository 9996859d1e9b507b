"""Check 17.2 (fix): a report to the workshop room costs the student at most BUDGET in all, whatever the room does.

The room is a real websockets server on 127.0.0.1, so a report written with websockets' sync or asyncio client, or
with another library, is judged the same. A room that answers gets the token, then the report; one slow to shake
hands but within BUDGET in all gets it too. The deadline is judged by answers the room holds past it (never a time
the report must beat): an answer given no sooner than BUDGET and a bit after the socket asked to open must not be
taken, the wall clock set back or not; a room that stops reading, the close included, must not hold report() until
it wakes a second later. Nonsense, or no room at all, gets one line saying why, no exception, never the token, nor
the report before joined or twice (an empty token too); and report() never returns with its socket still open.
"""

import json

import pytest

from exercises.probes import proved
from exercises.probes.report_room import Reports, closed_port, room, wall_clock_set_back

RULE = (
    "A report rides along the student's own work: one deadline of BUDGET seconds for all of it (the handshake, "
    "each answer, the close), each step waiting only for what is left, and one line instead of an exception"
)
EXERCISE, BUDGET = "17.2", 1.0
LATE = 1.3  # seconds after the socket asked to open: an answer given then came after the deadline, a bit or more
TOKEN, PAYLOAD = "a-token-of-this-check", {"report": {"exercise": "17.2", "status": "failing", "check": "test_x"}}


@pytest.fixture
def report(module, monkeypatch) -> Reports:
    """report() of the module (BUDGET kept), run against a room (report.run(room or URL)), its line judged."""
    return Reports(monkeypatch, module, RULE, TOKEN, PAYLOAD, BUDGET)


@pytest.mark.rule(1, 6)
async def test_a_room_that_answers_gets_the_report_once(report):
    report.widen()  # a room that answers at once is heard however busy the machine is
    result = await report.run(peer := room())
    assert result is None, f"the room answered joined and ok at once, so report() must return None, got {result!r}"
    assert peer.heard == [{"token": TOKEN}, PAYLOAD], f"expected the token, then the payload once; got {peer.heard}"


@pytest.mark.rule(1, 2)
async def test_a_room_slow_to_shake_hands_within_the_budget_gets_the_report(report):
    result = await report.run(room(handshake=0.5))  # half the budget in the handshake, the answers at once
    assert result is None, (
        f"a room whose handshake took 0.5 s and that answered at once after it was within {BUDGET:g} s in all, "
        f"but report() gave up: {result!r}. Share one deadline; do not cut the budget into fixed slices per step"
    )


@pytest.mark.rule(2, 3)
async def test_a_welcome_after_the_deadline_is_not_taken(report):
    result = await report.run(peer := room(handshake=0.6, joined_at=LATE))
    assert PAYLOAD not in peer.heard, (
        f"a room held its handshake 0.6 s and said joined no sooner than {LATE:g} s after the socket asked to open, "
        f"past the {BUDGET:g} s deadline, yet it got the report: report() was still waiting. The deadline is set once, "
        "before connect, and each step (the handshake too) waits only for what is left of it"
    )
    report.said_why(result, "a room that shook hands in 0.6 s and said joined after the deadline")


@pytest.mark.rule(2, 3)
async def test_an_ok_after_the_deadline_is_not_taken(report):
    result = await report.run(room(joined_at=0.6, ok_at=LATE))  # a quick handshake, then slow answers
    assert result is not None, (
        f"a room shook hands at once, said joined 0.6 s or more after and ok no sooner than {LATE:g} s after the socket "
        f"asked to open, past the {BUDGET:g} s deadline, yet report() took it and returned None. Each answer gets "
        "what is left of the one deadline, read anew before each wait"
    )
    report.said_why(result, "a room slow after a quick handshake")


@pytest.mark.rule(2, 3)
async def test_a_room_that_stops_reading_does_not_hold_the_report(report):
    peer = room(quiet=True, wake_at=BUDGET + 1)  # it reads nothing after the token, not even the close
    await report.gives_up(peer, "a room that stopped answering after the handshake, the close included")
    assert not peer.woke, (
        f"a room stopped reading after the token, and woke {BUDGET + 1:g} s after the socket asked to open: report() "
        "was still waiting then, for its close to be answered. close_timeout is a wait of its own after the "
        "deadline: keep it short (0.1 s); left out, websockets waits 10 s"
    )
    proved("boundaries", 3)


@pytest.mark.rule(2, 3)
async def test_a_wall_clock_set_back_during_the_report_changes_nothing(report, module, monkeypatch):
    peer = room(joined_at=0.6, ok_at=LATE)
    wall_clock_set_back(monkeypatch, module, peer.token_heard)  # NTP correcting the laptop's clock, or its owner
    result = await report.run(peer)
    assert result is not None, (
        f"the wall clock went back an hour once the room had the token; its ok came no sooner than {LATE:g} s after "
        f"the socket asked to open, past the {BUDGET:g} s deadline, and report() took it: a deadline read on "
        "time.time() moves with the clock. Use time.monotonic()"
    )
    report.said_why(result, "a room that said ok after the deadline")


NONSENSE = {  # what the room does instead of answering as it should: room()'s arguments
    "it answers the token with text that is not JSON": {"joined": "not json"},
    "it answers the token with a binary frame": {"joined": b"\x00\xff"},
    "it answers the token with JSON nested too deep to decode": {"joined": "[" * 100_000},  # RecursionError
    "it answers the token with a JSON number": {"joined": "5"},
    "it answers the token with a list of 300 characters": {"joined": json.dumps(["x" * 300])},
    "it answers the token with an error frame quoting it": {"joined": json.dumps({"error": f"unknown token {TOKEN}"})},
    # Quoted over and over, from two starts 10 characters apart: in one of the two lines a copy lies across the cut.
    "it quotes the token ten times": {"joined": json.dumps({"error": TOKEN * 10})},
    "it quotes the token ten times, 10 characters later": {"joined": json.dumps({"error": "x" * 10 + TOKEN * 10})},
    "it answers the report with an error frame": {"ok": '{"error": "too many frames: slow down"}'},
    # The word "ok" inside an error's text ("token", "revoked"): the answer is an object's key, not a word.
    "it answers the report with an error naming the token": {"ok": '{"error": "your token was revoked"}'},
    "it closes the socket with 4401 on the token": {"joined": 4401},
    "it refuses the handshake with HTTP 403": {"refuse": 403},
}


@pytest.mark.rule(3, 4)
@pytest.mark.parametrize("what", NONSENSE)
async def test_a_room_that_answers_nonsense_gets_one_line_and_no_exception(what, report):
    await report.gives_up(peer := room(**NONSENSE[what]), f"a room where {what}")
    assert "joined" not in NONSENSE[what] or PAYLOAD not in peer.heard, (
        f'a room where {what} never said joined, yet it got the report: send it once {{"joined": ...}} has come, '
        "so a room that did not admit the token never hears a student's work"
    )
    assert peer.heard.count(PAYLOAD) <= 1, (
        f"a room where {what} got the report {peer.heard.count(PAYLOAD)} times: send it once, never again after a "
        "failure (the room said why, and a second try is a second budget)"
    )


@pytest.mark.rule(3)
@pytest.mark.parametrize("url", [f"ws://127.0.0.1:{closed_port()}/", "http://not a url/", "ws://[::1"])
async def test_no_room_at_all_gets_one_line_and_no_exception(url, report):
    await report.gives_up(url, f"no room at {url}")
    proved("bad frames")


@pytest.mark.rule(3)
async def test_an_empty_token_leaves_the_line_saying_why(report):
    report.widen()  # the refusal comes at once: a busy machine must not turn it into a timeout
    result = await report.run(room(refuse=403), token="")
    assert isinstance(result, str) and "403" in result, (
        f'with no token yet (token "") and a room refusing with HTTP 403, report() said {result!r}: the line no longer '
        'says why. text.replace("", ...) puts the replacement between every character: hide the token if there is one'
    )


# The standard battery of what this exercise builds (a client helper), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
