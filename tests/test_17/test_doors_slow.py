"""Lesson 17's doors with a real `make workshop` process (workshop/serve.py): the refusal, and HOST=127.0.0.1."""

import re
import shlex
import socket
import subprocess
import sys

import pytest

from harness.patience import COMMAND
from harness.servers import ServerProcess, free_port
from tests.helpers.workshop_server import make_room_env, manage
from workshop.doors import REPO_DIR
from workshop.network import lan_address

pytestmark = pytest.mark.slow


def lesson_07s_createsuperuser_line(env: dict) -> None:
    """Run the line lesson 07 prints on the room's database, as a reader types it."""
    text = (REPO_DIR / "lessons" / "07-authentication.md").read_text(encoding="utf-8")
    line = re.search(r"^DJANGO_SUPERUSER_PASSWORD=.* createsuperuser .*$", text, re.MULTILINE)[0]
    assignment, _python, _manage, *argv = shlex.split(line)
    name, value = assignment.split("=", 1)
    manage({**env, name: value}, *argv)


def test_where_lesson_07s_line_ran_make_workshop_refuses_with_the_reason(tmp_path):
    env = make_room_env(tmp_path)
    manage(env, "migrate", "--noinput")
    lesson_07s_createsuperuser_line(env)
    argv = [sys.executable, "-m", "workshop.serve", "--host", "127.0.0.1", "--port", str(free_port())]
    done = subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND)
    assert done.returncode == 1
    assert "'ada', printed in lessons/07-authentication.md" in done.stderr
    assert "python manage.py changepassword ada" in done.stderr
    assert "analytical-engine" not in done.stdout + done.stderr  # named by where it is printed, not repeated


def test_make_workshop_host_127_0_0_1_is_not_served_on_the_lan_address(tmp_path):
    address = lan_address()
    if address == "127.0.0.1":
        pytest.skip("this machine has no network address but loopback: nothing to compare with")
    port = free_port()
    argv = [sys.executable, "-m", "workshop.serve", "--host", "127.0.0.1", "--port", str(port)]
    server = ServerProcess("make workshop HOST=127.0.0.1", argv, make_room_env(tmp_path), port)
    try:
        socket.create_connection(("127.0.0.1", port), timeout=COMMAND).close()  # served here
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, port), timeout=COMMAND).close()
    finally:
        server.stop()
