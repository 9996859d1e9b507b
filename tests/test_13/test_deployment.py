"""Lesson 13: the files under deploy/ are valid, and the facts they rely on hold (real nginx in the slow file)."""

import asyncio
import configparser
import re
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from daphne.utils import parse_x_forwarded_for

from course.catalogue import REPO_DIR
from harness.deployment import MAIN_CONF, NGINX, PLACEHOLDERS, SITE, render_site
from lessons.routing import worker_channels

UNITS = sorted((REPO_DIR / "deploy").glob("*.service"))
EXAMPLE = {
    "LISTEN": "127.0.0.1:8080",
    "DAPHNE_A": "127.0.0.1:8001",
    "DAPHNE_B": "127.0.0.1:8002",
    "READ_TIMEOUT": "75s",
    "STATIC_ROOT": "/srv/channels-lessons/staticfiles",
}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(REPO_DIR / "deploy" / name)
    return parser


def test_the_site_file_names_its_placeholders_in_its_header_and_uses_no_others():
    text = SITE.read_text()
    used = set(re.findall(r"\$\{(\w+)\}", text))
    envsubst_line = next(line for line in text.splitlines() if "envsubst '" in line)
    assert used == set(PLACEHOLDERS)
    assert all("${" + name + "}" in envsubst_line for name in PLACEHOLDERS)
    rendered = render_site(EXAMPLE)
    assert "${" not in rendered and "$http_upgrade" in rendered  # nginx's own variables stay


def test_envsubst_and_the_tests_render_the_site_file_alike():
    if not shutil.which("envsubst"):
        pytest.skip("envsubst not found; it is in Debian's gettext-base")
    names = " ".join("${" + name + "}" for name in PLACEHOLDERS)
    result = subprocess.run(["envsubst", names], input=SITE.read_text(), env=EXAMPLE, capture_output=True, text=True)
    assert result.stdout == render_site(EXAMPLE)


def test_nginx_accepts_the_site_file(nginx_installed, tmp_path):
    (tmp_path / "site.conf").write_text(render_site(EXAMPLE))
    (tmp_path / "nginx.conf").write_text(MAIN_CONF)
    (tmp_path / "tmp").mkdir()
    result = subprocess.run(
        [NGINX, "-t", "-p", f"{tmp_path}/", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_daphne_with_proxy_headers_believes_the_first_address_in_x_forwarded_for():
    # nginx's $proxy_add_x_forwarded_for appends: "<what the client wrote>, <the client>".
    appended = {b"x-forwarded-for": [b"6.6.6.6, 203.0.113.9"]}
    replaced = {b"x-forwarded-for": [b"203.0.113.9"]}  # proxy_set_header X-Forwarded-For $remote_addr
    assert parse_x_forwarded_for(appended)[0] == ["6.6.6.6", 0]
    assert parse_x_forwarded_for(replaced)[0] == ["203.0.113.9", 0]


@pytest.mark.parametrize("path", UNITS, ids=[path.name for path in UNITS])
def test_systemd_accepts_the_unit(path, tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze not found (a machine without systemd)")
    # Point the unit at this checkout instead of /srv/channels-lessons, so its commands exist here.
    name = path.name.replace("@.", "@8001.")
    (tmp_path / name).write_text(path.read_text().replace("/srv/channels-lessons", str(REPO_DIR)))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=false", str(tmp_path / name)], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_daphne_binds_loopback_with_proxy_headers_and_the_worker_runs_a_route():
    daphne = unit("channels-lessons-daphne@.service")["Service"]["ExecStart"].split()
    worker = unit("channels-lessons-worker.service")["Service"]["ExecStart"].split()
    assert daphne[daphne.index("-b") + 1] == "127.0.0.1"
    assert "--proxy-headers" in daphne
    assert worker[-2:][0] == "runworker" and worker[-1] in worker_channels


@pytest.mark.django_db(transaction=True)
async def test_database_calls_share_one_thread_per_process_whatever_asgi_threads_allows():
    # ASGI_THREADS=4 makes Daphne give its event loop this executor; only thread_sensitive=False calls use it.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=4))

    def which_thread() -> int:
        time.sleep(0.002)  # long enough that the pool starts a thread for the next call meanwhile
        return threading.get_ident()

    database = await asyncio.gather(*[database_sync_to_async(which_thread)() for _ in range(8)])
    pooled = await asyncio.gather(*[sync_to_async(which_thread, thread_sensitive=False)() for _ in range(8)])
    assert len(set(database)) == 1  # one thread, so one database connection at a time per process
    assert len(set(pooled)) > 1
