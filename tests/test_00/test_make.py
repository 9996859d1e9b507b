"""Lesson 00's `make`: the environment each command names, ready by what it was made from, never by file dates.

Each test runs the Makefile in a folder of its own, beside a stand-in environment (its bin/python this test's
own Python), and asks make what it would do: `make -q install` answers whether the environment is ready,
`make -n` prints what a command would run. Nothing is installed.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from course.catalogue import REPO_DIR
from tests.helpers import require

SET_UP = ("Makefile", "requirements.txt", "requirements-django6.txt", "requirements-mutation.txt")


def a_checkout(tmp_path: Path) -> Path:
    """The Makefile and its requirements, and a .venv made from them with this Python, all files dated now."""
    require(shutil.which("make") is not None, "make is not installed (apt install make, or xcode-select --install)")
    for name in SET_UP:
        shutil.copy(REPO_DIR / name, tmp_path / name)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    shutil.copy(REPO_DIR / "requirements.txt", tmp_path / ".venv" / ".installed")
    os.utime(tmp_path / "requirements.txt")  # a fresh clone: every file newer than the environment
    return tmp_path


def make(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHON", "PYTHON6", "DJANGO", "MAKEFLAGS"}}
    return subprocess.run(["make", *arguments], cwd=folder, env=env, capture_output=True, text=True)


def a_python_of_version(folder: Path, version: str) -> str:
    """A stand-in Python that says it is `version` (all the Makefile asks of it before making anything)."""
    python = folder / f"python{version}"
    python.write_text(f"#!/bin/sh\necho {version}\n")  # what `-c 'import sys; print(...)'` would print
    python.chmod(0o755)
    return str(python)


def test_a_fresh_clone_with_its_environment_ready_runs_no_pip(tmp_path):
    checkout = a_checkout(tmp_path)
    assert make(checkout, "-q", "install").returncode == 0
    assert "pip" not in make(checkout, "-n", "workshop").stdout


def test_changed_requirements_install_again(tmp_path):
    checkout = a_checkout(tmp_path)
    with (checkout / "requirements.txt").open("a") as requirements:
        requirements.write("a-new-pin==1.0\n")
    assert make(checkout, "-q", "install").returncode == 1


def test_naming_the_python_the_environment_runs_installs_nothing(tmp_path):
    checkout = a_checkout(tmp_path)
    assert make(checkout, "-q", "install", f"PYTHON={sys.executable}").returncode == 0


def test_naming_another_python_makes_the_environment_again(tmp_path):
    checkout = a_checkout(tmp_path)
    other = a_python_of_version(checkout, "3.99")
    assert make(checkout, "-q", "install", f"PYTHON={other}").returncode == 1


def test_django_6_serves_from_an_environment_of_its_own(tmp_path):
    checkout = a_checkout(tmp_path)
    python = a_python_of_version(checkout, "3.13")
    lines = make(checkout, "-n", "run", "DJANGO=6", f"PYTHON={python}").stdout.splitlines()
    assert ".venv-django6/bin/python manage.py runserver 127.0.0.1:8000" in lines
    assert not any(line.startswith(".venv/") for line in lines)


def test_django_6_on_an_older_python_is_refused_naming_the_python_it_needs(tmp_path):
    checkout = a_checkout(tmp_path)
    older = a_python_of_version(checkout, "3.11")
    refused = make(checkout, "install", "DJANGO=6", f"PYTHON={older}")
    assert refused.returncode != 0
    assert f"Django 6 needs Python 3.12 to 3.14: PYTHON={older} is Python 3.11" in refused.stdout
    assert "PYTHON=python3.13" in refused.stdout
    assert not (checkout / ".venv-django6").exists()
