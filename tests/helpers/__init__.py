"""Everything the tests share that is not a fixture (fixtures: tests/fixtures/, loaded by tests/conftest.py).

clients.py         the test Origin and Host, a page's POST headers, layer membership, real WebSocket clients
faults.py          how a socket was answered or ended (hostile input, reliability)
pages.py           the lesson pages' live client, driven in Chromium
crash_asgi.py      the course's application plus one route that crashes on purpose
tiny_consumers.py  lesson 09's tiny consumers, one per testing tool
routes.py          which consumer the root router gives a path to (lesson 00, the layout check)
threads.py         Django's one sync thread, held by a test until it lets go (lessons 02, 05)
channels_live_case.py  lesson 09: Channels' ChannelsLiveServerTestCase, run by test_09_testing_slow.py
"""

import os

import pytest

# The password of the test user "ada" (tests/fixtures/database.py's `ada`), on the test database only.
ADA_PASSWORD = "analytical-engine"

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip the test with `reason` when `condition` is false; under CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)
