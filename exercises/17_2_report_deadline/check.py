"""Check 17.2 (fix): a report to the workshop room costs the student at most BUDGET in all, whatever the room does.

A room that answers gets the token, then the report, if in BUDGET in all however the time falls; a room slow at every
step, slow after a quick handshake, or silent after it costs BUDGET at most, the close included, the wall clock set
back or not; nonsense, or no room at all, gets one line saying why, no exception, never the token, nor the report
before joined or twice (an empty token too). Every wait is on the check's Clock: none depends on the machine's speed.
"""

import asyncio
import contextlib
import functools
import json
import socket

import pytest

from exercises.probes import FRAME, WAITED, Clock, Peer, load, on_the_clock, proved, serving

RULE = (
    "A report rides along the student's own work: one deadline of BUDGET seconds for all of it (the handshake, "
    "each answer, the close), each step waiting only for what is left, and one line instead of an exception"
)
BUDGET = 1.0
SLACK = 0.4  # what the close may wait past the deadline for a room that never answers it (the solution's: 0.1 s)
TOKEN, PAYLOAD = "a-token-of-this-check", {"report": {"exercise": "17.2", "status": "failing", "check": "test_x"}}
JOINED, OK = '{"joined": "alice", "last_message": null}', '{"ok": "report"}'
with socket.create_server(("127.0.0.1", 0)) as probe:
    CLOSED_PORT = probe.getsockname()[1]  # nothing listens there once the probe is closed
module = functools.partial(load, "17.2", RULE)


def room(joined=JOINED, ok=OK, joined_after=0.0, ok_after=0.0, **how) -> Peer:
    """The instructor's room: it answers the token with `joined`, the report with `ok` (a close code closes)."""
    return Peer([joined, ok], [joined_after, ok_after], name="the room", **how)


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    """This test's Clock, in place of the time and the websockets connect() that report() reads."""
    assert module().BUDGET == BUDGET, f"keep BUDGET = {BUDGET}: the contract gives a report one second"
    return on_the_clock(monkeypatch, module(), Clock(RULE))


async def timed_report(to: Peer | str, clock: Clock, token: str = TOKEN) -> tuple[object, float]:
    """report() to a room (served on a port of its own) or a URL, in a thread: its result, its time on the clock."""
    async with serving(to, clock) if isinstance(to, Peer) else contextlib.nullcontext(to) as url:
        started = clock.now
        try:
            result = await asyncio.wait_for(asyncio.to_thread(module().report, url, token, PAYLOAD), FRAME)
        except TimeoutError:
            pytest.fail(f"report() was still running {WAITED} later, though the room answered at once. {RULE}", False)
        except Exception as error:
            pytest.fail(f"report() raised {type(error).__name__}: {error}. {RULE}", pytrace=False)
    return result, clock.now - started


def one_line_saying_why(result: object, elapsed: float, room: str) -> None:
    assert elapsed <= BUDGET + SLACK, f"{room}: report() took {elapsed:.2f} s; at most {BUDGET:g} s in all. {RULE}"
    assert isinstance(result, str) and result.strip(), (
        f"{room}: the report did not arrive, so report() must return one line saying why, got {result!r}"
    )
    assert "\n" not in result and len(result) <= 200, f"{room}: one line of at most 200 characters, got {result!r}"
    cut = "" if TOKEN in result else " (its first characters, where the line was cut: hide it first, then cut)"
    assert TOKEN[:6] not in result, f"{room}: the line shows the student's token{cut}, their login: {result!r}"


async def test_a_room_that_answers_gets_the_report_once(clock):
    result, _ = await timed_report(peer := room(), clock)
    assert result is None, f"the room answered joined and ok at once, so report() must return None, got {result!r}"
    assert peer.heard == [{"token": TOKEN}, PAYLOAD], f"expected the token, then the payload once; got {peer.heard}"


async def test_a_room_that_answers_within_the_budget_gets_the_report(clock):
    result, _ = await timed_report(room(handshake=0.45, ok_after=0.25), clock)  # 0.7 s, most of it in the handshake
    assert result is None, (
        f"a room whose handshake took 0.45 s and whose ok came 0.25 s later answered within {BUDGET:g} s in all, "
        f"but report() gave up: {result!r}. Share one deadline; do not cut the budget into fixed slices per step"
    )


async def test_a_room_slow_at_every_step_costs_at_most_the_budget(clock):
    result, elapsed = await timed_report(peer := room(handshake=0.7, joined_after=0.7, ok_after=0.7), clock)
    one_line_saying_why(result, elapsed, "a room that takes 0.7 s at every step")
    assert peer.closed, (
        f"a room that takes 0.7 s at every step: its socket was still open {WAITED} after report() returned: a thread "
        "waited for BUDGET runs on (and Python joins it before the student's command can exit), its report perhaps "
        "arriving after report() said it did not. Give each step what is left of one deadline, the close included"
    )


async def test_a_room_slow_after_a_quick_handshake_costs_at_most_the_budget(clock):
    result, elapsed = await timed_report(room(joined_after=0.6, ok_after=0.7), clock)  # both share what is left
    assert result is not None, (
        f"a room shook hands at once, said joined 0.6 s later and ok 0.7 s after: report() waited {elapsed:.2f} s, "
        "then returned None. Each answer gets what is left of the one deadline, read anew before each wait"
    )
    one_line_saying_why(result, elapsed, "a room slow after a quick handshake")


async def test_a_room_that_stops_answering_costs_at_most_the_budget(clock):
    result, elapsed = await timed_report(room(quiet=True), clock)
    one_line_saying_why(result, elapsed, "a room that stopped answering after the handshake, the close included")
    proved("boundaries", 3)


async def test_a_wall_clock_set_back_during_the_report_changes_nothing(clock):
    clock.back = 0.15  # an hour back, 0.15 s into the report: NTP correcting the laptop's clock, or its owner
    result, elapsed = await timed_report(room(handshake=0.3, joined_after=3), clock)  # joined comes too late
    assert isinstance(result, str) and elapsed <= BUDGET + SLACK, (
        f"the wall clock went back an hour 0.15 s in; report() waited {elapsed:.2f} s for a room that said joined 3 s "
        f"late, then returned {result!r}: a deadline read on time.time() moves with the clock. Use time.monotonic()"
    )
    one_line_saying_why(result, elapsed, "a room that said joined 3 s after the token")


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


@pytest.mark.parametrize("what", NONSENSE)
async def test_a_room_that_answers_nonsense_gets_one_line_and_no_exception(what, clock):
    result, elapsed = await timed_report(peer := room(**NONSENSE[what]), clock)
    one_line_saying_why(result, elapsed, f"a room where {what}")
    assert "joined" not in NONSENSE[what] or PAYLOAD not in peer.heard, (
        f'a room where {what} never said joined, yet it got the report: send it once {{"joined": ...}} has come, '
        "so a room that did not admit the token never hears a student's work"
    )
    assert peer.heard.count(PAYLOAD) <= 1, (
        f"a room where {what} got the report {peer.heard.count(PAYLOAD)} times: send it once, never again after a "
        "failure (the room said why, and a second try is a second budget)"
    )


@pytest.mark.parametrize("url", [f"ws://127.0.0.1:{CLOSED_PORT}/", "http://not a url/", "ws://[::1"])
async def test_no_room_at_all_gets_one_line_and_no_exception(url, clock):
    result, elapsed = await timed_report(url, clock)
    one_line_saying_why(result, elapsed, f"no room at {url}")
    proved("bad frames")


async def test_an_empty_token_leaves_the_line_saying_why(clock):
    result, _ = await timed_report(room(refuse=403), clock, token="")
    assert isinstance(result, str) and "403" in result, (
        f'with no token yet (token "") and a room refusing with HTTP 403, report() said {result!r}: the line no longer '
        'says why. text.replace("", ...) puts the replacement between every character: hide the token if there is one'
    )
