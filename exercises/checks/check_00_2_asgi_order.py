"""Check 00.2 (fix): asgi.py sets the settings, calls get_asgi_application(), then imports consumers (fresh process)."""

import json
import os
import subprocess
import sys

from exercises.runner import REPO_DIR

RULE = (
    "In asgi.py, set DJANGO_SETTINGS_MODULE, call get_asgi_application(), and only then import routing, "
    "consumers or channels.auth"
)
# What `daphne exercises.<module>:application` does first: import the module in a fresh process, without
# DJANGO_SETTINGS_MODULE (the file must set it), and nothing of Django set up yet.
PROBE = """
import json, traceback
from exercises.registry import load_target
try:
    module = load_target("00.2")
except Exception as error:
    # The last line of the student's own file on the way to the error.
    mine = [f for f in traceback.extract_tb(error.__traceback__) if "/exercises/" in f.filename and "registry" not in f.filename]
    where = f" (line {mine[-1].lineno} of your file: {mine[-1].line})" if mine else ""
    print(json.dumps({"error": f"{type(error).__module__}.{type(error).__name__}: {str(error).rstrip('.')}{where}"}))
else:
    app = module.application
    print(json.dumps({
        "router": type(app).__name__,
        "protocols": sorted(getattr(app, "application_mapping", {})),
        "routes": [str(p.pattern) for p in getattr(module, "websocket_urlpatterns", [])],
    }))
"""


def imported() -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, f"the import probe failed: {done.stderr.strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_fresh_process_imports_it_and_gets_the_same_application():
    found = imported()
    assert "error" not in found, f"a fresh process cannot import it: {found.get('error')}. {RULE}"
    assert found["router"] == "ProtocolTypeRouter" and found["protocols"] == ["http", "websocket"], (
        f"expected application = ProtocolTypeRouter({{'http': ..., 'websocket': ...}}), got {found}"
    )
    assert "^ws/db/room/(?P<room>[^/]+)/$" in found["routes"], (
        f"lesson 08's room route is gone (routes: {found['routes']}): every socket would get "
        f'"No route found for path". {RULE}'
    )
