"""Check 14.2: a reconnect delay with exponential backoff from BASE, a cap at CAP, full jitter, and a reset on open.

Clients that lost the server together retry at different instants; each counts its own failures; first retries spread
evenly over 0 to BASE; the ceiling doubles with each failure; no retry waits past the cap, capped delays are drawn too;
a client retries through a day-long outage; an open socket starts the count again; clients restarted together in
separate processes draw different delays. Statistical: a uniform draw fails a bound under once in 1e20.
"""

from collections import Counter

import pytest

from exercises.probes import proved, target_path
from .probes import after_an_open, closes, delays_after, distance_from_even, drawn_afresh
from .probes import even_within, backoff as backoff  # a fixture: Backoff, its BASE and CAP checked

EXERCISE, RULE = "14.2", "Backoff().closed() draws a delay from 0 to min(CAP, BASE * 2 ** failures); opened() resets"
CLIENTS = 1000  # clients that lost the same server at the same instant
BASE, CAP = 0.5, 30.0  # client.js's, which the starter's constants must keep
FULL_JITTER = "draw the whole delay evenly from 0 to the ceiling, random.uniform(0, ceiling)"


@pytest.mark.rule(1)
def test_clients_that_lost_the_server_together_retry_at_different_instants(backoff):
    instant, together = Counter(delays_after(backoff, 0, CLIENTS)).most_common(1)[0]  # whole ms: ~2 clients each
    assert together <= CLIENTS // 20, (
        f"{together} of {CLIENTS} clients whose server went away together retry at the same instant ({instant:g} s "
        f"after the close), so the reconnect storm hits the new server whole. Full jitter: {FULL_JITTER}"
    )


@pytest.mark.rule(2)
def test_each_client_counts_its_own_failures(backoff):
    closes(veteran := backoff(), 8)
    newcomers = [backoff() for _ in range(100)]
    longest = max(client.closed() for client in newcomers)  # 2 * BASE: over BASE alone is the jitter check's
    own = "count the attempts on each client (self), not on the class or the module"
    assert longest <= 2 * BASE, f"a new client's first retry waited {longest:.1f} s after another failed 8 times: {own}"
    newcomers[0].opened()
    later = max(closes(veteran, 20))
    assert later > 2 * BASE, f"a client that failed 8 times waited {later:.1f} s at most once another opened: {own}"


@pytest.mark.rule(1)
def test_the_first_retries_spread_over_the_whole_window_from_zero_to_base(backoff):
    low, high, mean = min(delays := delays_after(backoff, 0, CLIENTS)), max(delays), sum(delays) / CLIENTS
    assert low < 0.05 * BASE, (
        f"no client retried before {low:.2f} s: jitter added on top of a fixed delay (or of half of one) leaves a "
        f"storm in a window that starts late; {FULL_JITTER} ({BASE} s at first)"
    )
    assert high <= BASE, (
        f"a first retry waited {high:.2f} s, over BASE = {BASE} s: count the attempt after working out its ceiling"
    )
    assert high > 0.95 * BASE and 0.4 * BASE < mean < 0.6 * BASE, (
        f"the first delays ranged over {low:.2f}-{high:.2f} s, mean {mean:.2f} s (expected {BASE / 2}): {FULL_JITTER}"
    )


@pytest.mark.rule(1)
def test_the_first_retries_are_spread_evenly_not_bunched_in_the_middle(backoff):
    clients = 4000
    shares = [delay / BASE for delay in delays_after(backoff, 0, clients)]  # as shares of the window, 0 to 1
    middle = sum(0.25 <= share <= 0.75 for share in shares) / clients
    assert distance_from_even(shares) <= even_within(clients), (
        f"of {clients} clients' first retries, {middle:.0%} came in the middle half of the window, where an even "
        "spread puts 50%: delays drawn around the middle (a bell curve, the average of two draws, a triangle) bunch "
        f"the clients into a softer wave again; {FULL_JITTER}"
    )
    proved("boundaries", 1)


@pytest.mark.rule(1)
@pytest.mark.parametrize("failures", range(1, 6))
def test_the_ceiling_doubles_with_each_failed_attempt(backoff, failures):
    ceiling, reached = BASE * 2**failures, max(delays_after(backoff, failures, 300))
    assert 0.8 * ceiling < reached <= ceiling, (
        f"after {failures} failed tries the delays reached {reached:.2f} s; expected them spread up to "
        f"min(CAP, BASE * 2 ** {failures}) = {ceiling:g} s: the ceiling doubles with each failed attempt"
    )


@pytest.mark.rule(1)
def test_no_retry_waits_longer_than_the_cap(backoff):
    late = [delay for _ in range(50) for delay in closes(backoff(), 20)[6:]]  # ceilings past CAP: BASE * 64 = 32 s on
    longest, at_cap = max(late), sum(delay == CAP for delay in late)
    assert longest <= CAP, (
        f"a client that had failed 6-19 times waited {longest:.0f} s: cap the ceiling at CAP = {CAP:g} s before drawing"
    )
    assert at_cap < len(late) // 10, (
        f"{at_cap} of {len(late)} delays past the 6th retry were exactly {CAP:g} s: min(CAP, jitter) caps after the "
        "draw, and every long-failing client retries at the same instant again; cap the ceiling, then draw"
    )
    assert longest > 0.9 * CAP, (
        f"past the 6th retry the delays reached only {longest:.1f} s, not {CAP:g}: double on until the ceiling is CAP"
    )


@pytest.mark.rule(1, 4)
def test_a_client_keeps_retrying_through_a_day_long_outage(backoff):
    delays = closes(backoff(), 3000)  # a day of retries, at most 30 s apart; an OverflowError fails here
    wrong = [(attempt, delay) for attempt, delay in enumerate(delays) if not 0 <= delay <= CAP]
    assert not wrong, f"after {wrong[0][0]} failed tries the delay was {wrong[0][1]} s; expected 0 to {CAP:g} s"
    late = delays[1100:]
    assert (at_cap := late.count(CAP)) < len(late) // 10, (
        f"past 1,100 failed tries, {at_cap} of {len(late)} delays were exactly {CAP:g} s: a fallback that waits the "
        "cap puts every client of a long outage back in one wave; keep drawing from 0 to the capped ceiling"
    )


@pytest.mark.rule(3)
def test_an_open_socket_starts_the_count_again(backoff):
    longest = max(after_an_open(backoff(), 10) for _ in range(200))
    assert 0.8 * BASE < longest <= BASE, (
        f"after a socket opened, the next closes waited up to {longest:.2f} s, not spread up to BASE = {BASE} s: "
        "opened() must start the count again from 0 (not below it), or one blip after a long outage costs the full cap"
    )


@pytest.mark.rule(5)
def test_clients_restarted_together_in_separate_processes_draw_different_delays(backoff):
    first, second = drawn_afresh(target_path(EXERCISE))  # `backoff` checked the file first
    assert first != second, (
        f"two client processes started afresh drew the same six delays ({first}): the random generator is seeded "
        "with a constant (a process id is one too: in containers every client is pid 1; and so is the time of a "
        "restart), so they retry at the same instants. Leave random unseeded (Python seeds it from the OS)"
    )
    proved("boundaries", 2)


# The standard battery of what this exercise builds (a client helper), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
