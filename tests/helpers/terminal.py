"""A student's terminals, for the tests that type a lesson's try-it steps as the lesson writes them (15, 16, 17).

Terminal(env)            a bash a student types into: each block runs in the same shell, its output returned
Background(command, env) a command left running in another terminal (a server), stopped with Ctrl-C
fenced(text, language)   the fenced blocks of a Markdown text, dedented, as a student copies them
port_answers(port)       whether something listens on 127.0.0.1:`port`
laptop(tmp_path, make)   a copy of the working tree with the course's .venv, where typed steps run
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import tempfile
import textwrap
import time

from harness.patience import SERVER_START, SERVER_STOP
from harness.servers import REPO_DIR


class Terminal:
    """A bash a student types into: each block runs as typed, in the same shell, and its output is returned."""

    def __init__(self, env: dict[str, str], cwd=REPO_DIR):
        self.bash = subprocess.Popen(
            ["bash", "--noprofile", "--norc"], cwd=cwd, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def type(self, block: str) -> str:
        self.bash.stdin.write(f"{block}\necho __typed__\n")
        self.bash.stdin.flush()
        lines = iter(self.bash.stdout.readline, "")
        return "".join(iter(lambda: next(lines), "__typed__\n"))

    def exit(self) -> None:
        """End the shell, as closing the terminal's window does (without killing what it started)."""
        self.bash.stdin.close()
        self.bash.wait(timeout=SERVER_STOP)
        self.bash.stdout.close()


class Background:
    """`command` typed in another terminal and left running (a server on `port`); stop() is its Ctrl-C."""

    def __init__(self, command: str, env: dict[str, str], port: int, cwd=REPO_DIR):
        self.port = port
        self.log = tempfile.NamedTemporaryFile(prefix="terminal-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc", "-c", command], cwd=cwd, env=env, text=True,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + SERVER_START
        while not port_answers(port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"`{command}` never listened on {port}:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        with open(self.log.name) as log:
            return log.read()

    def stop(self) -> None:
        """Ctrl-C: SIGINT to the terminal's whole process group (make and the server it runs); killed after SERVER_STOP."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=SERVER_STOP)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        with contextlib.suppress(ProcessLookupError):  # anything of the group that outlived its shell
            os.killpg(self.process.pid, signal.SIGKILL)
        # Until its port is free: a server started next on the same port would otherwise find the old one
        # still answering, be taken for listening, and then fail to bind ("That port is already in use").
        deadline = time.monotonic() + SERVER_STOP
        while port_answers(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.log.close()


def fenced(text: str, language: str = "bash") -> list[str]:
    """The ```<language> blocks of `text`, in order, dedented (a block inside a numbered step is indented)."""
    pattern = rf"^ *```{language}\n(.*?)^ *```"
    return [textwrap.dedent(block) for block in re.findall(pattern, text, re.M | re.S)]


def port_answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def laptop(tmp_path, make: str):
    """A copy of the working tree with the course's .venv in it, where a lesson's typed steps run.

    A copy, not the tree itself: `make run`'s autoreloader restarts its server when a watched file
    changes, and the run's other tests write files in the tree (a restart forgets the in-memory
    counters a step fills); and a step may save over a starter. `make` is the target the steps
    type: it must find the .venv up to date, or it would install first.
    """
    from tests.helpers import require
    from tests.helpers.workshop_server import checkout

    require(
        subprocess.run(["make", "-q", "install"], cwd=REPO_DIR, capture_output=True).returncode == 0,
        f"`make install` is not up to date: `{make}` would install first",
    )
    copy = checkout(tmp_path, "laptop")
    (copy / ".venv").symlink_to(REPO_DIR / ".venv")
    return copy
