"""A client's own throttle, its reconnect backoff (check 14.2): the delays it draws, and how evenly they spread.

A Backoff is a class with closed() (seconds to wait before the next try) and opened(); a check's `backoff` fixture
makes new clients. The statistics fail a uniform draw under once in 1e20, so a red check is the student's code.
"""

import math
import subprocess
import sys

import pytest

from harness.patience import COMMAND


@pytest.fixture
def backoff(module, request):
    """The module's Backoff, to make new clients with, once its BASE and CAP are the check's (BASE, CAP)."""
    got, policy = (module.BASE, module.CAP), (request.module.BASE, request.module.CAP)
    assert got == policy, f"expected BASE, CAP = {policy} (lesson 12's client.js: one policy), got {got}"
    return module.Backoff


def closes(client, times: int) -> list[float]:
    """The delays `client` gives for `times` closes in a row, with no open between them.

    An OverflowError fails the check there: a client that raises stops retrying for good, however long the outage.
    """
    delays = []
    for attempt in range(times):
        try:
            delays.append(client.closed())
        except OverflowError as error:
            stops = "the client stops retrying for good. Stop doubling once the ceiling is past CAP"
            pytest.fail(f"after {attempt} failed tries closed() raised OverflowError: {error}; {stops}", pytrace=False)
    return delays


def delays_after(backoff, failures: int, clients: int) -> list[float]:
    """Each new client's delay before its retry number `failures` + 1: every client closed `failures` times before."""
    return [closes(backoff(), failures + 1)[-1] for _ in range(clients)]


def after_an_open(client, failures: int) -> float:
    """`client`'s delay after `failures` closes in a row, then an open, then one more close."""
    closes(client, failures)
    client.opened()
    return client.closed()


def distance_from_even(shares: list[float]) -> float:
    """The largest gap between the share of draws at or below each value (0 to 1) and what an even spread gives.

    Kolmogorov-Smirnov's distance: a draw bunched in the middle (a bell curve, the mean of two draws) shows here
    even where its range and mean look right.
    """
    shares = sorted(shares)
    return max(max((n + 1) / len(shares) - share, share - n / len(shares)) for n, share in enumerate(shares))


def even_within(draws: int, odds: float = 1e-20) -> float:
    """The distance_from_even() a uniform draw of `draws` values exceeds but once in 1 / `odds`.

    The Dvoretzky-Kiefer-Wolfowitz inequality: P(distance > e) <= 2 exp(-2 draws e**2), solved for e.
    """
    return math.sqrt(math.log(2 / odds) / (2 * draws))


# Six delays from a new client of the file (argv[1]), in a process as a container restarted with others starts it.
DRAW = """import json, os, runpy, sys, time
os.getpid = lambda: 1  # each client in a container of its own, where every first process is pid 1
time.time, time.time_ns = lambda: 1764000000.0, lambda: 1764000000 * 10**9  # restarted in the same instant
client = runpy.run_path(sys.argv[1], run_name="drawn")["Backoff"]()
print(json.dumps([client.closed() for _ in range(6)]))"""


def drawn_afresh(path, processes: int = 2) -> list[str]:
    """What each of `processes` fresh Python processes prints: the six first delays of a new Backoff of the file.

    Each process sees pid 1 and the same clock, as clients restarted together in containers do: a generator
    seeded from either draws the same delays in each. A file that fails there fails the check with its error.
    """
    runs = [
        subprocess.run([sys.executable, "-c", DRAW, str(path)], capture_output=True, text=True, timeout=COMMAND)
        for _ in range(processes)
    ]
    for run in runs:
        assert run.returncode == 0, f"your file failed in a fresh process: {run.stderr.strip()[-300:]}"
    return [run.stdout.strip() for run in runs]
