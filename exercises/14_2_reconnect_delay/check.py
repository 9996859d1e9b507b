"""Check 14.2: a reconnect delay with exponential backoff from BASE, a cap at CAP, full jitter, and a reset on open.

Statistical, with margins no correct policy misses: each bound below fails a
uniform draw with a probability under 1e-20.
"""

import functools
import math
import subprocess
import sys
from collections import Counter

import pytest

from exercises.probes import proved, target, target_path

CLIENTS = 1000  # clients that lost the same server at the same instant
BASE, CAP = 0.5, 30.0  # client.js's, which the starter's constants must keep


@functools.cache
def module():
    """The module under check, imported once (a student's own file is imported afresh on every target())."""
    return target("14.2")


def backoff():
    """A new client's Backoff, once the module's BASE and CAP are checked."""
    checked = module()
    assert (checked.BASE, checked.CAP) == (BASE, CAP), (
        f"expected BASE = {BASE} and CAP = {CAP}, lesson 12's client.js, got {checked.BASE} and {checked.CAP}: "
        "the course teaches one policy"
    )
    return checked.Backoff()


def delays_after(failures: int, clients: int) -> list[float]:
    """Each client's delay before its retry number `failures` + 1: every client closed `failures` times before."""
    found = []
    for _ in range(clients):
        client = backoff()
        for _ in range(failures):
            client.closed()
        found.append(client.closed())
    return found


def test_clients_that_lost_the_server_together_retry_at_different_instants():
    delays = delays_after(0, CLIENTS)
    instant, together = Counter(delays).most_common(1)[0]  # whole milliseconds are fine: about 2 clients a ms
    assert together <= CLIENTS // 20, (
        f"{together} of {CLIENTS} clients whose server went away together retry at the same instant ({instant:g} s "
        f"after the close; {len(set(delays))} different first delays in all), so the reconnect storm hits the new "
        "server whole. Full jitter: draw each delay at random, random.uniform(0, ceiling)"
    )


def test_each_client_counts_its_own_failures():
    veteran = backoff()
    for _ in range(8):
        veteran.closed()
    newcomers = [backoff() for _ in range(100)]
    longest = max(client.closed() for client in newcomers)
    assert longest <= 2 * BASE, (  # 2 * BASE: a first delay over BASE alone is the jitter check's to explain
        f"a new client's first retry waited up to {longest:.1f} s after another client had failed 8 times: count "
        "the attempts on each client (self), not on the class or the module"
    )
    newcomers[0].opened()
    later = max(veteran.closed() for _ in range(20))
    assert later > 2 * BASE, (
        f"after another client's socket opened, a client that had failed 8 times waited at most {later:.1f} s: "
        "its own count started again; count the attempts on each client (self), not on the class or the module"
    )


def test_the_first_retries_spread_over_the_whole_window_from_zero_to_base():
    delays = delays_after(0, CLIENTS)
    low, high, mean = min(delays), max(delays), sum(delays) / len(delays)
    assert low < 0.05 * BASE, (
        f"no client retried before {low:.2f} s: jitter added on top of a fixed delay (or of half of one) leaves "
        f"a storm of every client in a window that starts late; full jitter draws the whole delay, from 0 up to "
        f"the ceiling ({BASE} s for the first retry)"
    )
    assert high <= BASE, (
        f"a first retry waited {high:.2f} s; expected at most BASE = {BASE} s: the first retry's ceiling is "
        "BASE * 2 ** 0, so count the attempt after working out its ceiling"
    )
    assert high > 0.95 * BASE and 0.4 * BASE < mean < 0.6 * BASE, (
        f"the first delays ranged over {low:.2f}-{high:.2f} s, mean {mean:.2f} s: expected them spread evenly over "
        f"0-{BASE} s (mean {BASE / 2} s), random.uniform(0, ceiling)"
    )


def test_the_first_retries_are_spread_evenly_not_bunched_in_the_middle():
    clients = 4000
    delays = sorted(delay / BASE for delay in delays_after(0, clients))  # as shares of the window, 0 to 1
    # The largest gap between the share of clients retried by each moment and the share an even spread gives.
    gap = max(max((n + 1) / clients - share, share - n / clients) for n, share in enumerate(delays))
    bound = math.sqrt(math.log(2 / 1e-20) / (2 * clients))  # Dvoretzky-Kiefer-Wolfowitz: a uniform draw passes it
    middle = sum(0.25 <= share <= 0.75 for share in delays) / clients
    assert gap <= bound, (
        f"of {clients} clients' first retries, {middle:.0%} came in the middle half of the window "
        f"({BASE / 4:g}-{3 * BASE / 4:g} s), where an even spread puts 50%: delays drawn around the middle (a bell "
        "curve, the average of two draws, a triangle) bunch the clients into a wave again, only a softer one. Draw "
        "the delay evenly over the whole window, random.uniform(0, ceiling)"
    )
    proved("boundaries", 1)


def test_the_ceiling_doubles_with_each_failed_attempt():
    for failures in range(1, 6):
        ceiling = BASE * 2**failures
        delays = delays_after(failures, 300)
        assert max(delays) <= ceiling and max(delays) > 0.8 * ceiling, (
            f"after {failures} failed tries the delays reached {max(delays):.2f} s; expected them spread up to "
            f"min(CAP, BASE * 2 ** {failures}) = {ceiling:g} s: the ceiling doubles with each failed attempt"
        )


def test_no_retry_waits_longer_than_the_cap():
    late = []  # delays once the ceiling is past CAP: attempt 6 (BASE * 64 = 32 s) onwards
    for _ in range(50):
        client = backoff()
        delays = [client.closed() for _ in range(20)]
        late += delays[6:]
    longest = max(late)
    assert longest <= CAP, (
        f"a client that had failed 6-19 times waited up to {longest:.0f} s: with no cap, the 12th retry may wait "
        f"over half an hour after the server is back; cap the ceiling at CAP = {CAP:g} s before drawing"
    )
    at_cap = sum(delay == CAP for delay in late)
    assert at_cap < len(late) // 10, (
        f"{at_cap} of {len(late)} delays past the 6th retry were exactly {CAP:g} s: min(CAP, jitter) caps after the "
        "draw, and every long-failing client retries at the same instant again; cap the ceiling, then draw"
    )
    assert longest > 0.9 * CAP, (
        f"past the 6th retry the delays reached only {longest:.1f} s; expected up to {CAP:g}: keep doubling until the "
        "ceiling reaches CAP (stop the exponent only far past it, say at 32)"
    )


def test_a_client_keeps_retrying_through_a_day_long_outage():
    client, late = backoff(), []
    for attempt in range(3000):  # a day of retries, at most 30 s apart
        try:
            delay = client.closed()
        except OverflowError as error:
            pytest.fail(
                f"after {attempt} failed tries (hours of outage) closed() raised OverflowError: {error}; the "
                "client stops retrying for good. Stop doubling once the ceiling is past CAP",
                pytrace=False,
            )
        assert 0 <= delay <= CAP, f"after {attempt} failed tries the delay was {delay} s; expected 0 to {CAP:g} s"
        if attempt >= 1100:
            late.append(delay)
    at_cap = sum(delay == CAP for delay in late)
    assert at_cap < len(late) // 10, (
        f"past 1,100 failed tries, {at_cap} of {len(late)} delays were exactly {CAP:g} s: a fallback that waits the "
        "cap puts every client of a long outage back in one wave; keep drawing from 0 to the capped ceiling"
    )


def test_an_open_socket_starts_the_count_again():
    longest = 0.0
    for _ in range(200):
        client = backoff()
        for _ in range(10):
            client.closed()
        client.opened()
        longest = max(longest, client.closed())
    assert longest <= BASE, (
        f"after a socket opened, the next close waited up to {longest:.1f} s; expected at most BASE = {BASE} s: "
        "opened() must start the count again from 0, or one blip after a long outage costs the full cap"
    )
    assert longest > 0.8 * BASE, (
        f"after a socket opened, the next closes waited at most {longest:.2f} s; expected them spread up to BASE = "
        f"{BASE} s: opened() starts the count again from 0, the first retry's ceiling, not from below it"
    )


DRAW = """
import importlib.util, json, os, sys, time
os.getpid = lambda: 1  # each client in a container of its own, where every first process is pid 1
time.time, time.time_ns = lambda: 1764000000.0, lambda: 1764000000 * 10**9  # restarted in the same instant
spec = importlib.util.spec_from_file_location("drawn", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
client = module.Backoff()
print(json.dumps([client.closed() for _ in range(6)]))
"""


def test_clients_restarted_together_in_separate_processes_draw_different_delays():
    module()  # the file imports, and BASE and CAP are checked, before two processes start
    runs = [
        subprocess.run(
            [sys.executable, "-c", DRAW, str(target_path("14.2"))], capture_output=True, text=True, timeout=20
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, f"your file failed in a fresh process: {run.stderr.strip()[-300:]}"
    first, second = (run.stdout.strip() for run in runs)
    assert first != second, (
        f"two client processes started afresh drew the same six delays ({first}): the random generator is seeded "
        "with a constant (a process id is one too: in containers every client is pid 1; and so is the time, the same "
        "for every client a restart brings back), so they retry at the same instants. Leave random unseeded (Python "
        "seeds it from the OS in each process)"
    )
    proved("boundaries", 2)
