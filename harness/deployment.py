"""Lesson 13's deployment on this machine: deploy/nginx.conf in front of two Daphne processes on one Redis.

The site file is rendered exactly as its header says (envsubst of five named
placeholders) and included by deploy/nginx-local.conf, a stand-in for Debian's
/etc/nginx/nginx.conf; nginx runs in the foreground as a child process.
Lesson 13's tests start it (tests/fixtures/deployment.py), and so does lesson
14's reconnect storm (bench/scale/storm.py), with thousands of sockets.
"""

import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from harness.servers import REPO_DIR, ServerProcess, daphne_env, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = REPO_DIR / "deploy" / "nginx.conf"
PLACEHOLDERS = ("LISTEN", "DAPHNE_A", "DAPHNE_B", "READ_TIMEOUT", "STATIC_ROOT")

# Debian's /etc/nginx/nginx.conf includes the site; this stand-in does the same in a temporary prefix.
MAIN_CONF = (REPO_DIR / "deploy" / "nginx-local.conf").read_text(encoding="utf-8")


def render_site(values: dict[str, str]) -> str:
    """deploy/nginx.conf with each ${NAME} replaced, as `envsubst '${LISTEN} ...'` does; nginx's own $vars stay."""
    text = SITE.read_text(encoding="utf-8")
    for name in PLACEHOLDERS:
        text = text.replace("${" + name + "}", values[name])
    return text


class Deployment:
    """nginx on a free port in front of Daphne a and Daphne b (--proxy-headers, an access log each).

    db_settings None: the Daphnes use the project's own database settings (the
    benchmark's chat needs none). backlog: Daphne's listen queue, through a
    Twisted endpoint (`-e tcp:...:backlog=N`), since its CLI has no --backlog
    and Twisted's default is 50. edit_main: a change to nginx's main file, e.g.
    more worker_connections than its default 512.
    """

    def __init__(
        self,
        workdir: Path,
        static_root: Path,
        db_settings: dict | None,
        redis_url: str,
        prefix: str,
        read_timeout: str = "75s",
        ping_intervals: tuple[int, int] = (20, 20),
        edit_site: Callable[[str], str] | None = None,
        layer_env: dict[str, str] | None = None,
        backlog: int | None = None,
        edit_main: Callable[[str], str] | None = None,
    ):
        self.workdir = workdir
        self.backlog = backlog
        # layer_env: e.g. REDIS_SENTINELS (lesson 15), which the Daphnes' settings prefer to REDIS_URL.
        env = {**daphne_env(db_settings, redis_url, prefix), **(layer_env or {})}
        self.daphnes: list[ServerProcess] = []
        self.nginx: ServerProcess | None = None
        try:
            self.daphnes += [
                self.start_daphne(name, env, ping) for name, ping in zip("ab", ping_intervals, strict=True)
            ]
            (workdir / "tmp").mkdir(exist_ok=True)
            values = {
                "LISTEN": f"127.0.0.1:{free_port()}",
                "DAPHNE_A": f"127.0.0.1:{self.daphnes[0].port}",
                "DAPHNE_B": f"127.0.0.1:{self.daphnes[1].port}",
                "READ_TIMEOUT": read_timeout,
                "STATIC_ROOT": str(static_root),
            }
            site = render_site(values)
            # A test may change one directive to show what it is for; the lesson quotes the file unchanged.
            (workdir / "site.conf").write_text(edit_site(site) if edit_site else site)
            (workdir / "nginx.conf").write_text(edit_main(MAIN_CONF) if edit_main else MAIN_CONF)
            argv = [NGINX, "-p", f"{workdir}/", "-c", str(workdir / "nginx.conf")]
            self.nginx = ServerProcess("nginx", argv, dict(os.environ), int(values["LISTEN"].rsplit(":", 1)[1]))
        except Exception:
            self.stop()
            raise

    def start_daphne(self, name: str, env: dict[str, str], ping_interval: int) -> ServerProcess:
        port = free_port()
        log = self.workdir / f"access-{name}.log"
        if self.backlog is None:
            listen = ["-b", "127.0.0.1", "-p", str(port)]
        else:
            listen = ["-e", f"tcp:port={port}:interface=127.0.0.1:backlog={self.backlog}"]
        argv = [sys.executable, "-m", "daphne", *listen, "--proxy-headers"]
        argv += ["--ping-interval", str(ping_interval), "--access-log", str(log), "lessons.asgi:application"]
        return ServerProcess(f"daphne {name}", argv, env, port)

    def access_log(self) -> str:
        """Both Daphnes' access logs, as far as written."""
        return "".join(p.read_text() for p in sorted(self.workdir.glob("access-*.log")) if p.exists())

    @property
    def port(self) -> int:
        return self.nginx.port

    @property
    def http_url(self) -> str:
        """nginx's address: also the Origin a page served by it sends."""
        return self.nginx.http_url

    def ws_url(self, path: str) -> str:
        return self.nginx.ws_url(path)

    def kill(self, daphne: ServerProcess) -> None:
        """SIGKILL: no shutdown, no close frames; the kernel resets its connections."""
        os.kill(daphne.pid, signal.SIGKILL)
        daphne.process.wait()

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for daphne in self.daphnes:
            daphne.stop()
