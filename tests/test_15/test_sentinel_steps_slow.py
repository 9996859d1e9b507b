"""Lesson 15's Sentinel steps, typed as the lesson writes them, in one shell: they work, and stop all they start."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.failover.run import chats_across
from harness.patience import CONDITION, polled
from harness.servers import REPO_DIR, daphne_env
from tests.helpers import require
from tests.helpers.terminal import Terminal, fenced, port_answers

pytestmark = pytest.mark.slow


LESSON_PORTS = (6380, 6381, 26380, 26381, 26382, 8001, 8002)  # what lesson 15's Sentinel steps take


def sentinel_steps() -> list[str]:
    """The bash blocks of lesson 15's "Redis through Sentinel" steps, in order, as a student copies them."""
    text = (REPO_DIR / "lessons" / "15-layers-in-production.md").read_text()
    section = text[text.index("### Redis through Sentinel") : text.index("### The PostgreSQL layer")]
    return fenced(section)


async def test_lesson_15s_sentinel_steps_work_as_written_and_stop_all_they_start(tmp_path, redis_prefix):
    for program in ("redis-server", "redis-cli", "envsubst"):
        require(shutil.which(program) is not None, f"{program} not found: lesson 15's steps say how to install it")
    taken = [port for port in LESSON_PORTS if port_answers(port)]
    require(not taken, f"ports {taken} are taken: lesson 15's steps need them free")
    env = {**daphne_env(None, None, redis_prefix), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # the environment, active or not
    setup, course, failover, clean_up = (
        block.replace("/tmp/channels-sentinel", str(tmp_path / "demo")) for block in sentinel_steps()
    )
    if not (REPO_DIR / ".venv" / "bin" / "activate").exists():
        setup = setup.replace("source .venv/bin/activate", "true")
    terminal, events = Terminal(env), None
    try:
        # redis-cli prints `1) "127.0.0.1"` on a terminal and plain lines into a pipe: either way, that address.
        assert re.search(r'127\.0\.0\.1"?\n(2\) ")?6380"?$', terminal.type(setup).strip())
        assert "ok    Redis reachable through Sentinel (primary 127.0.0.1:6380" in terminal.type(course)
        a, b = (
            SimpleNamespace(
                port=port,
                http_url=f"http://127.0.0.1:{port}",  # the page's origin: the origin check compares the port too
                ws_url=lambda path, port=port: f"ws://127.0.0.1:{port}/{path}",
            )
            for port in (8001, 8002)
        )
        assert await polled(lambda: chats_across(a, b, "lobby"), CONDITION, every=0.2)
        events = subprocess.Popen(["redis-cli", "-p", "26381", "psubscribe", "*"], stdout=subprocess.PIPE, text=True)
        said = terminal.type(failover)
        assert re.search(r'127\.0\.0\.1"?\n(2\) ")?6381', said) and "Announced to room 'lobby'" in said, said
        assert await polled(lambda: chats_across(a, b, "after-the-failover"), CONDITION, every=0.2)
        events.send_signal(signal.SIGINT)  # Ctrl-C in terminal 2
        try:
            said = events.communicate(timeout=5)[0]
        except subprocess.TimeoutExpired:  # seen once under load: redis-cli read on past the Ctrl-C
            events.kill()
            said = events.communicate()[0]  # all it printed, the part read before the timeout too
        assert "+switch-master" in said, said
        terminal.type(clean_up)
        terminal.exit()
        assert [port for port in LESSON_PORTS if port_answers(port)] == [] and not (tmp_path / "demo").exists()
    finally:  # whatever the steps left running when an assertion stopped them
        for pid in (tmp_path / "demo").glob("*.pid"):
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pid.read_text()), signal.SIGKILL)
        if events is not None and events.poll() is None:
            events.kill()
            events.communicate()
        if not terminal.bash.stdin.closed:
            terminal.exit()
