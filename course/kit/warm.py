"""A warm interpreter for the kit's proof: pytest, Django and Channels imported once, each check run a fork of it.

The proof drives about seventy pytest runs of checks. As fresh processes, each paid
for its own interpreter and its imports (pytest and its plugins, Django, Channels,
Twisted under channels.testing, Hypothesis): 1.2 of the 2.1 CPU-seconds a run of 25
checks took to collect, on CI's 2-core machine, where CPU is what CI waits for. Here
one process imports them once (harness/warm.py's server) and forks a child for each
run, which is `python -m pytest` with the run's argv, environment and working folder,
its output in a file. Settings, the database and the checked files are the child's
own, read after the fork from the child's environment.
"""

import signal
from pathlib import Path

from harness.warm import WarmProcesses

# What every check run imports before its first test, and none of which reads the course's settings on import.
# Nothing from a distribution that is a pytest plugin (pytest-django, pytest-asyncio, Hypothesis, ...): pytest
# rewrites the asserts of every module such a distribution ships as it loads the plugin, and warns (an error
# here) of one imported before it could.
# The last seven are what daphne.server imports: "daphne" is an installed app, so each run's django.setup()
# imports daphne/apps.py and with it daphne.server, 0.2 s a run and a tenth of the proof's CPU when the run
# imported it alone. Not daphne.server itself, nor twisted.internet.reactor: it installs its asyncio reactor on
# import (a new event loop, an epoll descriptor each fork would share), so each run still does that, in 1 ms.
PRELOAD = (
    "pytest",
    "_pytest.junitxml",
    "asgiref.sync",
    "django.db.models",
    "django.test",
    "channels.generic.websocket",
    "channels.layers",
    "channels.testing",
    "websockets",
    "channels_redis.core",  # lessons/settings.py imports it (lessons/channel_config.py): redis-py, a tenth of a run
    "twisted.internet.asyncioreactor",
    "twisted.internet.endpoints",
    "twisted.logger",
    "twisted.web.http",
    "daphne.checks",
    "daphne.http_protocol",
    "daphne.ws_protocol",
)


# The proof's runs yield a core to everything else (nice 5 more than the run that starts them: about a third of
# a normal process's share when both want one). They are a batch: twenty at once, which at normal priority took
# most of the machine from the suite's other workers, and stretched lesson 17's try-it steps (21 s alone) to
# 250 s of a CI run, over their pytest-timeout. Niced, CI's whole run took 463 s instead of 534 s, the proof ending first (2026-11-27).
# Their verdicts do not change: a check counts a stall of the event loop net of the thread's waits for a core
# (exercises/probes/loop.py), and `make test-busy` proves every verdict beside a hog at normal priority.
NICE = 5


class WarmRuns(WarmProcesses):
    """The proof's client: `run` forks a pytest run and waits for its exit status, from any thread."""

    def __init__(self, env: dict[str, str]):
        super().__init__(PRELOAD, env, nice=NICE)

    def run(self, args: list[str], env: dict[str, str], cwd: Path, out: Path, timeout: float) -> int | None:
        """pytest `args` in a fork: its exit status, or None when it ran over `timeout` s and was killed."""
        process = self.start("pytest", args, env, cwd, out)
        try:
            return process.exited.result(timeout)
        except TimeoutError:
            self.signal(process.pid, signal.SIGKILL, group=True)  # the run and every process it started
            process.exited.result()
            return None
