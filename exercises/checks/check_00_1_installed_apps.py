"""Check 00.1 (fix): "daphne" first in INSTALLED_APPS, every other app kept (checked in a fresh Django process)."""

import json
import subprocess
import sys

from exercises.checks.fixlab import load

RULE = '"daphne" must be in INSTALLED_APPS, above django.contrib.staticfiles, so that runserver is Daphne\'s (ASGI)'
STARTER_APPS = {
    "daphne",
    "channels",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
}
# A fresh Django with only these apps: which runserver wins, and what do the system checks say?
PROBE = """
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=json.loads(sys.argv[1]), SECRET_KEY="exercise", STATIC_URL="static/",
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
from django.core import checks
from django.core.management import get_commands
errors = [f"({e.id}) {e.msg}" for e in checks.run_checks() if e.level >= checks.ERROR]
print(json.dumps({"errors": errors, "runserver": get_commands().get("runserver")}))
"""


def probe(apps: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(apps)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, f"Django does not start with these apps: {done.stderr.strip().splitlines()[-1:]}"
    return json.loads(done.stdout)


def apps() -> list[str]:
    return list(load("00.1", RULE).INSTALLED_APPS)


def test_the_system_checks_pass_and_runserver_is_daphnes():
    found = probe(apps())
    assert not found["errors"], f"`manage.py runserver` stops with: {found['errors'][0]} {RULE}"
    assert found["runserver"] == "daphne", (
        f"runserver comes from {found['runserver']!r}: that is Django's WSGI server, and every WebSocket "
        f"handshake gets HTTP 404. {RULE}"
    )


def test_every_app_of_the_project_is_still_installed():
    missing = sorted(STARTER_APPS - set(apps()))
    assert not missing, f"these apps are gone from INSTALLED_APPS: {missing}. Keep them: {RULE}"
