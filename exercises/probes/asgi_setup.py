"""The ASGI application a project serves (checks 00.2, 00.3): imported as a server imports it, and a refused path.

00.2: `daphne module:application` imports the file in a fresh process, with nothing of Django set up and, unless the
operator names one, no DJANGO_SETTINGS_MODULE; imported() does the same and reports what that process found.
00.3: a path no route claims must reach a consumer that refuses it cleanly (a close before any accept, which Daphne
turns into HTTP 403), never crash the router (HTTP 500); refused() judges one such handshake.
"""

import json
import os
import subprocess
import sys
import time
from functools import cache

from channels.testing import WebsocketCommunicator

from exercises.probes.waits import WAITED, next_output, nothing_after_close
from exercises.targets import REPO_DIR
from harness.patience import COMMAND, FRAME

# --- 00.2: the file imported in a fresh process, as `daphne exercises.<module>:application` does first ---

# Run with the exercise's id as its argument: it imports that exercise's file and prints one line of JSON.
PROBE = """
import json, os, sys, traceback
from exercises.targets import target as load_target, target_path  # not exercises.probes: 0.15 s more a process
exercise = sys.argv[1]
try:
    module = load_target(exercise)
except Exception as error:
    # The last line of the student's own file on the way to the error.
    mine = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(target_path(exercise))]
    where = f" (line {mine[-1].lineno} of your file: {mine[-1].line})" if mine else ""
    print(json.dumps({"error": f"{type(error).__module__}.{type(error).__name__}: {str(error).rstrip('.')}{where}"}))
else:
    from django.conf import settings
    app = module.application
    mapping = getattr(app, "application_mapping", {})
    # The websocket stack from the outside in: each middleware keeps the next one as .inner.
    stack, layer, routes = [], mapping.get("websocket"), []
    while layer is not None and len(stack) < 10:
        stack.append(type(layer).__name__)
        routes = getattr(layer, "routes", routes)  # the URLRouter's own routes, whatever the file named them
        layer = getattr(layer, "inner", None) or getattr(layer, "application", None)  # OriginValidator: .application
    print(json.dumps({
        "router": type(app).__name__,
        "protocols": sorted(mapping),
        "http": type(mapping.get("http")).__module__ + "." + type(mapping.get("http")).__name__,
        "stack": stack,
        "routes": [str(getattr(p, "pattern", p)) for p in routes],
        "settings": settings.SETTINGS_MODULE,
        "unsafe": os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"),  # unset before the import: the file set it
    }))
"""


@cache
def imported(exercise: str, settings_module: str = "") -> dict:
    """What a fresh process finds when it imports `exercise`'s file (one process per settings module, shared by the
    tests): the application's router, protocols, websocket stack and routes, the settings used, or the import error.

    No settings module named: the file must name its own. One named: the server's environment says which.
    """
    unset = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    if settings_module:
        env.update(DJANGO_SETTINGS_MODULE=settings_module, SECRET_KEY="exercise", ALLOWED_HOSTS="example.com")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, exercise], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND
    )
    assert done.returncode == 0, f"the import probe failed: {done.stderr.strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def application(exercise: str, rule: str) -> dict:
    """The application a fresh process found importing `exercise`'s file, or the import error as the check's
    failure, with `rule`."""
    found = imported(exercise)
    assert "error" not in found, f"a fresh process cannot import it: {found.get('error')}. {rule}"
    return found


# --- 00.3: a handshake on a path no route claims ---


async def refused(application, path: str, rule: str, *, quiet_after: bool = True) -> WebsocketCommunicator:
    """A handshake on `path` that must be refused cleanly: no crash, an answer, no accept, nothing after.

    Waiting for "nothing after" ends the consumer (the communicator cancels it); quiet_after=False keeps it.
    """
    communicator = WebsocketCommunicator(application, path)
    await communicator.send_input({"type": "websocket.connect"})
    began = time.monotonic()  # next_output() ends at once when nothing left could answer: the sentence says which
    try:
        got = await next_output(communicator, FRAME)
    except ValueError as error:  # the server answers HTTP 500 and logs this
        # The server decodes %0A to a line break, which a pattern's . never matches.
        why = " A pattern's . matches no line break: re_path(r'') matches every path." if "%0A" in path else ""
        raise AssertionError(f"{path}: the handshake crashed: ValueError: {error}{why} {rule}") from None
    except TimeoutError:
        how = (
            f"within {WAITED}"
            if time.monotonic() - began >= FRAME
            else "and nothing left in the process could answer it"
        )
        raise AssertionError(f"{path}: the handshake got no answer {how}. {rule}") from None
    assert got.get("type") != "websocket.accept", (
        f"{path}: the socket was accepted; an unknown path must be refused. {rule}"
    )
    assert got.get("type") == "websocket.close", (
        f"{path}: the handshake was answered with {got}, which Daphne does not turn into a refusal (it has no "
        f"HTTP-response extension for sockets): send {{'type': 'websocket.close'}}. {rule}"
    )
    if quiet_after:
        await nothing_after_close(communicator, 0.05)
    return communicator
