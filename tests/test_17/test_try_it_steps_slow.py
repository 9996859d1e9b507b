"""Lesson 17's try-it steps, typed as the lesson writes them, in a checkout of their own: the room, a student, stop.

The commands come from the lesson's text (its ```bash blocks and the commands its prose gives), typed in
a copy of this working tree (step 6 saves over a starter, step 4 saves the room's connection in the
checkout). What a test cannot type as written:
- the port: a free one, not 8000 (`make workshop PORT=...`, the Makefile's own option; each
  `127.0.0.1:8000` in the steps becomes it). `workshop open` is typed as written, and its printed
  command names the port the room serves on (the test types step 4's, on that port);
- step 2's `createsuperuser` asks on a terminal: the test gives the same answers with `--noinput`;
- step 3's page, step 5's message and the page's refreshes need a browser: the test reads what the page
  shows from room.json (the data the page draws), logged in as that account. Step 5's watch is run
  without the message; lesson 17's browser tests cover the page;
- step 8's `git checkout` restores nothing here: the copy is not a git checkout, and is thrown away.
Terminal 1 is a process group of its own, stopped as Ctrl-C stops it.
"""

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from harness.patience import COMMAND, FRAME, SERVER_STOP
from harness.servers import REPO_DIR, daphne_env, free_fixed_port
from tests.helpers import eventually
from tests.helpers.terminal import Background, Terminal, fenced, laptop
from tests.helpers.workshop_server import student_terminal

pytestmark = pytest.mark.slow
PASSWORD = "a-password-of-this-test-only"


def try_it() -> str:
    text = (REPO_DIR / "lessons" / "17-workshop-room.md").read_text()
    return text[text.index("## Try it") : text.index("## Run this lesson's tests")]


def said_in_prose(section: str, step: int, starts: str) -> str:
    """The inline command of step `step` that begins with `starts` (e.g. step 7's `python manage.py exercise 01.1`)."""
    text = section[
        section.index(f"\n{step}. ") : section.index(f"\n{step + 1}. ") if f"\n{step + 1}. " in section else None
    ]
    prose = re.sub(r"^ *```.*?^ *```", "", text, flags=re.M | re.S).replace("\n   ", " ")
    (command,) = [c for c in re.findall(r"`([^`]+)`", prose) if c.startswith(starts)]
    return command


def room(port: int) -> dict:
    """room.json, the data the instructor's page draws, read as the instructor logged in through the login page."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    url = f"http://127.0.0.1:{port}"
    page = browser.open(f"{url}/accounts/login/", timeout=FRAME).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = f"csrfmiddlewaretoken={csrf}&username=teacher&password={PASSWORD}&next=/workshop/".encode()
    assert browser.open(f"{url}/accounts/login/", form, timeout=FRAME).url.endswith("/workshop/")
    return json.loads(browser.open(f"{url}/workshop/room.json", timeout=FRAME).read())


def alice(port: int) -> dict | None:
    return next((s for s in room(port)["students"] if s["name"] == "alice"), None)


async def test_lesson_17s_try_it_steps_work_as_written_and_stop_all_they_start(tmp_path):
    section = try_it()
    serve, instructor, student, watch, save = fenced(section)
    copy = laptop(tmp_path, "make workshop")
    port = free_fixed_port()
    at = lambda command: command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")  # noqa: E731
    env = {**daphne_env(None), **student_terminal()}
    for key in ("DATABASE_URL", "SECRET_KEY", "WORKSHOP_FILE", "DJANGO_SETTINGS_MODULE"):
        env.pop(key, None)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    serve = f"{serve.strip()} PORT={port}"
    terminal, server, watching = Terminal(env, cwd=copy), None, None
    try:
        server = Background(serve, env, port, cwd=copy)  # step 1
        assert f"The workshop room: http://127.0.0.1:{port}/workshop/ (staff only)" in server.output()
        answered = ("python manage.py createsuperuser", f"DJANGO_SUPERUSER_PASSWORD={PASSWORD} python manage.py createsuperuser"
                    " --noinput --username teacher --email teacher@example.com")  # fmt: skip
        said = terminal.type(instructor.replace(*answered))  # step 2
        code = said.strip().splitlines()[-1]
        assert re.fullmatch(r"[A-Z0-9]{8}", code), said
        assert f"python manage.py workshop join http://127.0.0.1:{port} {code} --name" in said, said  # where it serves
        assert "Superuser created successfully." in said, said
        assert room(port)["students"] == []  # step 3: `No student has joined yet.`

        said = terminal.type(at(student).replace("CODE", code))  # step 4
        assert f"joined the workshop at http://127.0.0.1:{port} as alice" in said, said
        assert "The check that failed: it accepts the socket" in said, said
        failing = await eventually(
            lambda: (alice(port) or {}).get("exercises", {}).get("01.1"), "alice's 01.1 reported"
        )
        assert failing["status"] == "failing", failing

        log = tmp_path / "terminal-2.log"  # step 5, in terminal 2 (the test types step 6 in "a third terminal")
        with log.open("w") as out:
            watching = subprocess.Popen(["bash", "-c", watch], cwd=copy, env=env, stdout=out, stderr=subprocess.STDOUT)
        # The watch runs the check (a pytest process) first: a command's deadline, not a polled state's.
        await eventually(lambda: "Waiting for a save" in log.read_text(), "the watch's first check", COMMAND)
        assert "The check that failed: it accepts the socket" in log.read_text()  # the file still fails
        third = Terminal(env, cwd=copy)  # step 6: the reference solution saved over the starter
        try:  # a student saves once, seconds later; the test saves again while the watch may still be arming
            deadline = time.monotonic() + COMMAND
            while watching.poll() is None and time.monotonic() < deadline:
                third.type(save)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    watching.wait(timeout=2)
        finally:
            third.exit()
        assert watching.wait(timeout=SERVER_STOP) == 0, log.read_text()  # it passes and stops
        await eventually(lambda: alice(port)["exercises"]["01.1"]["status"] == "passing", "alice's 01.1 passing")
        terminal.type(said_in_prose(section, 6, "python manage.py workshop help"))
        assert alice(port)["hand"], alice(port)

        before = alice(port)
        server.stop()  # step 7
        said = terminal.type(said_in_prose(section, 7, "python manage.py exercise"))
        assert f"workshop: this result did not reach http://127.0.0.1:{port}" in said, said
        assert "your own result above is unchanged." in said, said
        server = Background(serve, env, port, cwd=copy)
        assert alice(port)["exercises"] == before["exercises"]

        terminal.type(said_in_prose(section, 8, "python manage.py workshop leave"))  # step 8
        assert alice(port) is None
        terminal.type(said_in_prose(section, 8, "python manage.py workshop close"))
        assert room(port)["workshop"]["open"] is False
    finally:
        if watching is not None and watching.poll() is None:
            watching.kill()
            watching.wait()
        if server is not None:
            server.stop()
        terminal.exit()
