"""Lesson 00's set-up on a fresh clone: the README's no-make lines, run verbatim, installing from a wheelhouse
with the package index switched off (the workshop room without Wi-Fi), then the course server answers."""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from harness.patience import FRAME, SERVER_START, SERVER_STOP, patient
from harness.servers import REPO_DIR, free_port

pytestmark = pytest.mark.slow


def posix_lines() -> list[str]:
    """The README's no-make POSIX block: the lines after its `<!-- no-make: posix -->` marker."""
    readme = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- no-make: posix -->\n", 1)[1]
    return [line.removeprefix("    ") for line in re.match(r"((?:    .+\n)+)", block).group(1).splitlines()]


def fresh_clone(tmp_path: Path) -> Path:
    """A clone of this checkout's committed files plus its working tree's changes, as a student gets it."""
    clone = tmp_path / "course"
    subprocess.run(["git", "clone", "--quiet", "--no-local", str(REPO_DIR), str(clone)], check=True)
    # The working tree as it is (a test run before a commit proves the files being committed).
    diff = subprocess.run(["git", "diff", "HEAD", "--binary"], cwd=REPO_DIR, capture_output=True, check=True)
    if diff.stdout:
        subprocess.run(["git", "apply", "--whitespace=nowarn"], cwd=clone, input=diff.stdout, check=True)
    return clone


def wheelhouse_here() -> Path:
    """The instructor's step for this machine's Python (`python -m course.wheelhouse DIR --here`), made once.

    Kept in ~/.cache by the digest of requirements.txt: the download takes a minute or more, and
    what this test proves is the install from it with no index.
    """
    pins = hashlib.sha256((REPO_DIR / "requirements.txt").read_bytes()).hexdigest()[:16]
    tag = f"py{sys.version_info.major}{sys.version_info.minor}-{pins}"
    folder = Path.home() / ".cache" / "channels-lessons" / f"wheelhouse-{tag}"
    if not (folder / "complete").exists():
        subprocess.run([sys.executable, "-m", "course.wheelhouse", str(folder), "--here"], cwd=REPO_DIR, check=True)
        (folder / "complete").touch()
    return folder


@pytest.mark.timeout(patient(600))
def test_the_readme_no_make_lines_install_offline_from_a_wheelhouse_and_serve(tmp_path):
    clone = fresh_clone(tmp_path)
    shutil.copytree(wheelhouse_here(), clone / "wheelhouse")
    lines = posix_lines()
    assert lines[0] == "python3 -m venv .venv" and lines[-1].endswith("runserver 127.0.0.1:8000"), lines
    # The student's steps, verbatim, with no package index: pip reads PIP_NO_INDEX and PIP_FIND_LINKS.
    python_dir = str(Path(sys.executable).resolve().parent)  # `python3` here is the Python running the tests
    env = {**os.environ, "PATH": python_dir + os.pathsep + os.environ["PATH"], "PIP_NO_INDEX": "1"}
    env |= {"PIP_FIND_LINKS": str(clone / "wheelhouse"), "DATABASE_URL": f"sqlite:///{clone / 'db.sqlite3'}"}
    env.pop("VIRTUAL_ENV", None)
    for line in lines[:-1]:
        done = subprocess.run(line, shell=True, cwd=clone, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{line!r} failed: {done.stderr[-2000:]}"
    port = free_port()
    server = subprocess.Popen(
        lines[-1].replace("8000", str(port)),
        shell=True,
        cwd=clone,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = wait_for_page(f"http://127.0.0.1:{port}/")
        assert "Channels Lessons" in page
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=SERVER_STOP)


def wait_for_page(url: str, timeout: float = SERVER_START) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=FRAME).read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
