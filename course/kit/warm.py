"""A warm interpreter for the kit's proof: pytest, Django and Channels imported once, each check run a fork of it.

The proof drives about seventy pytest runs of checks. As fresh processes, each paid
for its own interpreter and its imports (pytest and its plugins, Django, Channels,
Twisted under channels.testing, Hypothesis): 1.2 of the 2.1 CPU-seconds a run of 25
checks took to collect, on CI's 2-core machine, where CPU is what CI waits for. Here
one process imports them once (harness/warm.py's server) and forks a child for each
run, which is `python -m pytest` with the run's argv, environment and working folder,
its output in a file. Settings, the database and the checked files are the child's
own, read after the fork from the child's environment.

The student's loop (`manage.py exercise NN.K`, with --watch or through course/kit/helper.py) forks its
checks from one too, which imports more (STUDENT_PRELOAD): the probes every check imports, and Hypothesis.
"""

import os
import pkgutil
import signal
from contextlib import suppress
from pathlib import Path

from exercises.targets import EXERCISES_DIR
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


# The probes that read Django's settings as they are imported, which the warm interpreter must never do.
READ_SETTINGS = {"saving", "served_users"}
# The student's loop preloads the rest of exercises/probes/ too (each check imports some: 0.1 s of a run), and
# Hypothesis, which a check imports to draw its bad frames (0.2 s, with the trio it imports). Hypothesis is a pytest
# plugin's distribution: imported before pytest could rewrite its asserts, it makes pytest warn, which STUDENT_ARGS
# lets through (its asserts are Hypothesis's own, never a check's). Nothing a probe does on import changes the
# process: they only define (bench/speed/loop.py checks every exercise warm, and shows any verdict that is not
# the proof's).
STUDENT_PRELOAD = (
    *PRELOAD,
    "hypothesis",
    "hypothesis.strategies",
    *(
        f"exercises.probes.{module.name}"
        for module in pkgutil.iter_modules([str(EXERCISES_DIR / "probes")])
        if module.name not in READ_SETTINGS
    ),
)
STUDENT_ARGS = ["-W", "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning"]


class WarmGone(Exception):
    """The warm interpreter is gone (killed, crashed) or never answered: the run must go cold."""


class WarmRuns(WarmProcesses):
    """A warm interpreter's client: `run` forks a pytest run and waits for its exit status, from any thread.

    The proof's has PRELOAD and yields a core (NICE); the student's loop has STUDENT_PRELOAD, at normal priority.
    """

    def __init__(self, env: dict[str, str], preload: tuple[str, ...] = PRELOAD, nice: int = NICE):
        super().__init__(preload, env, nice=nice)

    def run(
        self, args: list[str], env: dict[str, str], cwd: Path, out: Path, timeout: float, err: Path | None = None
    ) -> int | None:
        """pytest `args` in a fork: its exit status, or None when it ran over `timeout` s and was killed.

        Its output goes to `out` (its stderr to `err`, if given). WarmGone if the warm interpreter is gone; the
        run and all it started are killed if this thread is interrupted (Ctrl-C) while it waits.
        """
        try:
            process = self.start("pytest", args, env, cwd, out, err)
        except (OSError, RuntimeError) as gone:  # its stdin closed, or its answers ended before the fork's
            raise WarmGone(str(gone)) from gone
        try:
            return process.exited.result(timeout)
        except TimeoutError:
            self.signal(process.pid, signal.SIGKILL, group=True)  # the run and every process it started
            process.exited.result()
            return None
        except RuntimeError as gone:  # the server exited while the run went on: it ended the run
            raise WarmGone(str(gone)) from gone
        except BaseException:  # KeyboardInterrupt: the run is this thread's, and stops with it
            with suppress(OSError):  # the server may be gone already, and the run with it
                self.signal(process.pid, signal.SIGKILL, group=True)
            raise


def student_runs() -> WarmRuns:
    """The student's loop's warm interpreter (a watch's own, or the helper's): STUDENT_PRELOAD, at normal priority.

    It reads no settings: each run's own environment names them (manage.py sets DJANGO_SETTINGS_MODULE).
    """
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    return WarmRuns(env, STUDENT_PRELOAD, nice=0)
