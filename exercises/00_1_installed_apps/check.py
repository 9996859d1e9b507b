"""Check 00.1 (fix): "daphne" first in INSTALLED_APPS, every other app kept (checked in a fresh Django process).

The task's rules, in its order: 1 INSTALLED_APPS is a list or a tuple, and a fresh Django starts with it, its system
checks passing; 2 runserver is Daphne's; 3 every app of the starter is still installed; 4 (the battery)
DJANGO_ALLOW_ASYNC_UNSAFE stays unset.
"""

import json
import subprocess
import sys
from functools import cache

import pytest

from exercises.probes import COMMAND, load

RULE = "runserver must be Daphne's (ASGI, it serves the sockets), with every app of the project still installed"
STARTER_APPS = {
    "daphne",
    "channels",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
}
# A fresh Django with only these apps: does it start, which runserver wins, what do the system checks say?
PROBE = """
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=json.loads(sys.argv[1]), SECRET_KEY="exercise", STATIC_URL="static/",
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
try:
    django.setup()
except Exception as error:
    print(json.dumps({"start": f"{type(error).__module__}.{type(error).__name__}: {error}"}))
    raise SystemExit
from django.core import checks
from django.core.management import get_commands
errors = [f"({e.id}) {e.msg}" for e in checks.run_checks() if e.level >= checks.ERROR]
from django.apps import apps
names = [config.name for config in apps.get_app_configs()]  # "daphne.apps.DaphneConfig" is the app "daphne"
print(json.dumps({"errors": errors, "runserver": get_commands().get("runserver"), "apps": names}))
"""


@cache
def probe(apps: tuple) -> dict:
    """What a fresh Django process says about these apps (one process per list, shared by the tests)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(apps))], capture_output=True, text=True, timeout=COMMAND
    )
    assert done.returncode == 0, f"the probe process failed: {done.stderr.strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def apps() -> tuple:
    installed = load("00.1", RULE).INSTALLED_APPS
    assert isinstance(installed, list | tuple), (
        f"INSTALLED_APPS is a {type(installed).__name__}: it must be a list, whose order decides which "
        f"app's runserver wins. {RULE}"
    )
    return tuple(installed)


@pytest.mark.rule(1)
def test_django_starts_and_its_system_checks_pass():
    found = probe(apps())
    assert "start" not in found, f"Django does not start with these apps: {found.get('start')}. {RULE}"
    assert not found["errors"], f"`manage.py runserver` stops with: {found['errors'][0]} {RULE}"


@pytest.mark.rule(2)
def test_runserver_is_daphnes_asgi_server():
    found = probe(apps())
    assert found.get("runserver") == "daphne", (
        f"runserver comes from {found.get('runserver')!r}: that is Django's WSGI server, and every WebSocket "
        f"handshake gets HTTP 404. {RULE}"
    )


@pytest.mark.rule(3)
def test_every_app_of_the_project_is_still_installed():
    listed = apps()
    # An app may be listed by its AppConfig's path: what counts is the app Django installed.
    installed = probe(listed).get("apps", listed)
    missing = sorted(STARTER_APPS - set(installed))
    assert not missing, f"these apps are gone from INSTALLED_APPS: {missing}. Keep them: {RULE}"


# The standard battery of what this exercise builds (settings), run after the tests above: what every
# exercise of its kind must do (exercises/battery/). exercise.toml's [battery] says how it drives this
# exercise, which rule of the task each behaviour proves, and why any behaviour left out does not apply.
from exercises.battery.everyone import test_nothing_sets_django_allow_async_unsafe  # noqa: E402, F401
