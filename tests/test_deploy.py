"""Production settings: `lessons.settings_production` passes `check --deploy`."""

import os
import subprocess
import sys

import pytest

from course.catalogue import REPO_DIR
from harness.patience import COMMAND
from harness.servers import WarmDaphnes


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    environment.update(DJANGO_SETTINGS_MODULE="lessons.settings_production", **env)
    return WarmDaphnes.run([sys.executable, "manage.py", *args], REPO_DIR, environment, COMMAND)


@pytest.mark.slow
def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="lessons.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_a_required_variable(missing):
    env = {"SECRET_KEY": "a-long-random-production-secret-" + "x" * 40, "ALLOWED_HOSTS": "lessons.example.org"}
    del env[missing]
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set in the environment" in result.stderr
