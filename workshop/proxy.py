"""`make workshop` behind the course's nginx (lesson 17), where nginx is installed: lesson 13's deploy/nginx.conf.

Lesson 13 puts production behind nginx for its doors: at most 100 connections
from one address, 10 s for a request's headers, 1 MiB for its body. The room
is served the same way when this machine has nginx: deploy/nginx.conf, its
placeholders filled in as its header says (LISTEN: the room's address and
port; both upstreams: the one Daphne, on a loopback port of its own, with
--proxy-headers so each budget counts the student's address, not nginx's),
included by deploy/nginx-local.conf in a folder of its own (.workshop-nginx/,
git-ignored), as lesson 13's tests run it. nginx serves collectstatic's output at /static/. Without nginx,
Daphne serves alone, through the same doors in the application
(workshop/gate.py).
"""

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from workshop import network

REPO_DIR = Path(__file__).resolve().parent.parent
SITE, MAIN = REPO_DIR / "deploy" / "nginx.conf", REPO_DIR / "deploy" / "nginx-local.conf"


def nginx() -> str | None:
    """The nginx program on PATH (or where Debian puts it), or None."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin:/opt/homebrew/bin")


def loopback_port() -> int:
    """A free port on 127.0.0.1 for Daphne behind nginx."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mime_types(program: str) -> str | None:
    """The mime.types beside this nginx's own configuration (Debian: /etc/nginx), or None."""
    said = subprocess.run([program, "-V"], capture_output=True, text=True).stderr
    conf = re.search(r"--conf-path=(\S+)", said)
    found = Path(conf[1]).parent / "mime.types" if conf else None
    return str(found) if found is not None and found.exists() else None


def dies_with_parent() -> None:
    """In nginx's process, before it starts (Linux): SIGTERM it when the room's process dies, even killed.

    A room killed mid-workshop (a crash, a kill -9) left nginx on the port, proxying to a dead Daphne:
    the room started again could not listen there, and every student met 502.
    """
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


class Proxy:
    """nginx in the foreground, in a folder of its own, from lesson 13's two files; stop() ends it by its PID."""

    def __init__(self, program: str, listen: str, upstream: str, worker_connections: int = 1024):
        from django.core.management import call_command
        from django.test.utils import override_settings

        # Beside the file that says where the room serves (git-ignored; WORKSHOP_SERVING moves both), made
        # afresh at each start: a room killed mid-workshop leaves one folder behind, not one a start.
        self.folder = network.serving_file().with_name(".workshop-nginx")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        static = self.folder / "static"
        with override_settings(STATIC_ROOT=str(static)):  # the room has no collectstatic step of its own
            call_command("collectstatic", interactive=False, verbosity=0)
        values = {"LISTEN": listen, "DAPHNE_A": upstream, "DAPHNE_B": upstream, "READ_TIMEOUT": "75s"}
        site = SITE.read_text(encoding="utf-8")
        for name, value in {**values, "STATIC_ROOT": str(static)}.items():
            site = site.replace("${" + name + "}", value)
        main, types = MAIN.read_text(encoding="utf-8"), mime_types(program)
        main = main.replace("include /etc/nginx/mime.types;", f"include {types};" if types else "")
        # A half-sent request holds one of these for client_header_timeout (10 s) before limit_conn can count
        # it: more than the stand-in's default 512, within the open files serve.py raised (two a request).
        main = main.replace("events {}", f"events {{ worker_connections {worker_connections}; }}")
        (self.folder / "site.conf").write_text(site, encoding="utf-8")
        (self.folder / "nginx.conf").write_text(main, encoding="utf-8")
        (self.folder / "tmp").mkdir()
        self.program = program
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """nginx, listening once this returns an error-free start (its own check first: `nginx -t`)."""
        argv = [self.program, "-p", f"{self.folder}/", "-c", str(self.folder / "nginx.conf")]
        checked = subprocess.run([*argv, "-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refused the room's configuration:\n{checked.stderr.strip()}")
        linux = sys.platform == "linux"
        self.process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=dies_with_parent if linux else None
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
