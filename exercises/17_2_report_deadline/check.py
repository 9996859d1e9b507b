"""Check 17.2 (fix): a report to the workshop room costs the student at most BUDGET in all, whatever the room does.

A room that answers gets the token, then the report, if in BUDGET in all however the time falls; a room slow at every
step, slow after a quick handshake, or silent after it costs BUDGET at most, the close included, the wall clock set
back or not; nonsense, or no room at all, gets one line saying why, no exception, never the token, nor the report
before joined or twice (an empty token too). Every wait is on the check's Clock: none depends on the machine's speed.
"""

import json

import pytest

from exercises.probes import WAITED, proved
from exercises.probes.workshop_room import Reports, closed_port, room

RULE = (
    "A report rides along the student's own work: one deadline of BUDGET seconds for all of it (the handshake, "
    "each answer, the close), each step waiting only for what is left, and one line instead of an exception"
)
EXERCISE, BUDGET, SLACK = "17.2", 1.0, 0.4  # SLACK: a close never answered may run past it (the solution's: 0.1 s)
TOKEN, PAYLOAD = "a-token-of-this-check", {"report": {"exercise": "17.2", "status": "failing", "check": "test_x"}}


@pytest.fixture
def report(module, monkeypatch) -> Reports:
    """report() of the module (BUDGET kept), timed (report.timed(room or URL)) on this test's Clock (report.clock)."""
    return Reports(monkeypatch, module, RULE, TOKEN, PAYLOAD, BUDGET, SLACK)


@pytest.mark.rule(1)
async def test_a_room_that_answers_gets_the_report_once(report):
    result, _ = await report.timed(peer := room())
    assert result is None, f"the room answered joined and ok at once, so report() must return None, got {result!r}"
    assert peer.heard == [{"token": TOKEN}, PAYLOAD], f"expected the token, then the payload once; got {peer.heard}"


@pytest.mark.rule(1, 2)
async def test_a_room_that_answers_within_the_budget_gets_the_report(report):
    result, _ = await report.timed(room(handshake=0.45, ok_after=0.25))  # 0.7 s, most of it in the handshake
    assert result is None, (
        f"a room whose handshake took 0.45 s and whose ok came 0.25 s later answered within {BUDGET:g} s in all, "
        f"but report() gave up: {result!r}. Share one deadline; do not cut the budget into fixed slices per step"
    )


@pytest.mark.rule(2, 3)
async def test_a_room_slow_at_every_step_costs_at_most_the_budget(report):
    peer = room(handshake=0.7, joined_after=0.7, ok_after=0.7)
    await report.gives_up(peer, "a room that takes 0.7 s at every step")
    assert peer.closed, (
        f"a room that takes 0.7 s at every step: its socket was still open {WAITED} after report() returned: a thread "
        "waited for BUDGET runs on (and Python joins it before the student's command can exit), its report perhaps "
        "arriving after report() said it did not. Give each step what is left of one deadline, the close included"
    )


@pytest.mark.rule(2, 3)
async def test_a_room_slow_after_a_quick_handshake_costs_at_most_the_budget(report):
    result, elapsed = await report.timed(room(joined_after=0.6, ok_after=0.7))  # both share what is left
    assert result is not None, (
        f"a room shook hands at once, said joined 0.6 s later and ok 0.7 s after: report() waited {elapsed:.2f} s, "
        "then returned None. Each answer gets what is left of the one deadline, read anew before each wait"
    )
    report.said_why(result, elapsed, "a room slow after a quick handshake")


@pytest.mark.rule(2, 3)
async def test_a_room_that_stops_answering_costs_at_most_the_budget(report):
    await report.gives_up(room(quiet=True), "a room that stopped answering after the handshake, the close included")
    proved("boundaries", 3)


@pytest.mark.rule(2, 3)
async def test_a_wall_clock_set_back_during_the_report_changes_nothing(report):
    report.clock.back = 0.15  # an hour back, 0.15 s into the report: NTP correcting the laptop's clock, or its owner
    result, elapsed = await report.timed(room(handshake=0.3, joined_after=3))  # joined comes too late
    assert isinstance(result, str) and elapsed <= BUDGET + SLACK, (
        f"the wall clock went back an hour 0.15 s in; report() waited {elapsed:.2f} s for a room that said joined 3 s "
        f"late, then returned {result!r}: a deadline read on time.time() moves with the clock. Use time.monotonic()"
    )
    report.said_why(result, elapsed, "a room that said joined 3 s after the token")


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
    result, _ = await report.timed(room(refuse=403), token="")
    assert isinstance(result, str) and "403" in result, (
        f'with no token yet (token "") and a room refusing with HTTP 403, report() said {result!r}: the line no longer '
        'says why. text.replace("", ...) puts the replacement between every character: hide the token if there is one'
    )


# The standard battery of what this exercise builds (a client helper), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
