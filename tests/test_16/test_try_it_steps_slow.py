"""Lesson 16's try-it steps, typed as the lesson writes them: the answers, the locked `ada`, production's 403s.

The commands come from the lesson's text (its ```bash blocks, and the `make run` and `DEBUG=0 ...`
commands its prose gives), so a step changed in the text is the step tested. Two things differ from a
student's laptop: the server's port (a free one, not 8000, which a student's own server may hold;
`make run PORT=...` is the Makefile's own option) and the database (one of this test's own). "Another
terminal" is a process group of its own, stopped as Ctrl-C stops it.
"""

import json
import re
import sys
import time
from pathlib import Path

import pytest

from harness.servers import REPO_DIR, daphne_env, free_fixed_port
from tests.helpers.terminal import Background, Terminal, fenced, laptop

pytestmark = pytest.mark.slow


def try_it() -> str:
    text = (REPO_DIR / "lessons" / "16-hostile-clients.md").read_text()
    return text[text.index("## Try it") : text.index("## Run this lesson's tests")]


def make_ada() -> str:
    """Lesson 07's `createsuperuser` line, the one lesson 16's step 1 names as the way `ada` was made."""
    text = (REPO_DIR / "lessons" / "07-authentication.md").read_text()
    (line,) = [block.strip() for block in fenced(text, "sh") if "createsuperuser" in block]
    return line


def answers(printed: str) -> list[str]:
    """The `error` of each frame the guessing script printed, in order."""
    return [json.loads(line)["error"] for line in printed.splitlines() if line.startswith("{")]


def locked_after_five(errors: list[str]) -> bool:
    """Step 1's outcome: five `invalid username or password`, then two `too many failed logins, try again in N s`."""
    locked = r"too many failed logins, try again in \d+ s"
    return (
        errors[:5] == ["invalid username or password"] * 5
        and [bool(re.fullmatch(locked, e)) for e in errors[5:]] == [True] * 2
    )


def in_one_window() -> None:
    """Wait, if need be, for a fresh login window: the counters are per fixed window of LOGIN_FAILURE_WINDOW
    on the wall clock (auth_demo/throttle.py), and seven guesses typed across a window's end would start
    counting again from 0 in the next one (a run saw six answers before the lock)."""
    from django.conf import settings

    left = settings.LOGIN_FAILURE_WINDOW - time.time() % settings.LOGIN_FAILURE_WINDOW
    if left < 60:  # a step's guesses take seconds; a minute is room for a very busy machine
        time.sleep(left + 0.5)


def test_lesson_16s_try_it_steps_work_as_written_and_stop_all_they_start(tmp_path):
    section = try_it()
    guess, slow_route, other_port = fenced(section)
    assert "`make run`" in section
    (production,) = re.findall(r"`(DEBUG=0 [^`]*runserver [^`]*)`", section)
    copy = laptop(tmp_path, "make run")
    port = free_fixed_port()
    at = lambda command: command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")  # noqa: E731
    env = {**daphne_env(None), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("SECRET_KEY", None)
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # the environment, active or not
    terminal, server = Terminal(env, cwd=copy), None
    try:
        server = Background(f"make run PORT={port}", env, port, cwd=copy)
        in_one_window()
        said = terminal.type(at(guess))
        assert locked_after_five(answers(said)), said
        # The precondition step 1 states for `ada`: lesson 07's line, with the environment active.
        if (REPO_DIR / ".venv" / "bin" / "activate").exists():
            terminal.type("source .venv/bin/activate")
        assert "Superuser created successfully." in terminal.type(make_ada())
        in_one_window()
        said = terminal.type(at(guess).replace('"grace"', '"ada"'))
        assert locked_after_five(answers(said)), said

        server.stop()
        server = Background(at(production), env, port, cwd=copy)
        assert "HTTP 403" in terminal.type(at(slow_route))
        server.stop()
        server = Background(f"make run PORT={port}", env, port, cwd=copy)
        assert terminal.type(at(slow_route)).strip() == "accepted"
        # Step 3: a page on another port of this machine is refused; from the site's own origin the socket opens.
        assert "HTTP 403" in terminal.type(at(other_port))
        own = at(other_port).replace("http://127.0.0.1:9999", f"http://127.0.0.1:{port}")
        opened = terminal.type(own)
        assert "Traceback" not in opened and "403" not in opened, opened
    finally:
        if server is not None:
            server.stop()
        terminal.exit()
