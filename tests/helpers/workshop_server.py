"""Lesson 17's instructor side for real: the room served as `make workshop` serves it, on a database of the test's own.

make_room_env(tmp_path)  the instructor's environment: a fresh database, a SECRET_KEY, a staff password
serve(env, port)         `make workshop PORT=<port>` (workshop/serve.py): migrate, then Daphne on every address
manage(env, *argv)       what `python manage.py <argv>` prints on the room's database
open_room(env, port)     `workshop open` and a staff account `teacher`: the join code
checkout(tmp_path, name) a student's own checkout: a copy of this working tree, uncommitted work included
student_terminal()       a student's environment, for manage(..., cwd=<their checkout>)
log_in(browser, server)  the instructor logs in through the login page and lands on /workshop/
instructor(server)       the same without a browser: an opener holding the staff session cookie
room_json(opener, server) GET /workshop/room.json as that instructor
join(server, code, name) POST /workshop/join/ as a student's checkout does: the token
"""

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from harness.patience import COMMAND, CONDITION, FRAME
from harness.servers import REPO_DIR, ServerProcess, WarmDaphnes, daphne_env

PASSWORD = "a-password-for-this-test-only"
# A report a test waits on gets a liveness deadline, not the laptop's 0.8 s (workshop/client.py).
REPORTS_ARRIVE = {"WORKSHOP_REPORT_BUDGET": str(FRAME)}


def make_room_env(tmp_path: Path) -> dict:
    """The instructor's environment: a fresh database of this test's own, a SECRET_KEY, a staff password."""
    env = daphne_env(None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'room.sqlite3'}",
        SECRET_KEY="the-room-key-of-this-test-" + "k" * 30,
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
        WORKSHOP_SERVING=str(tmp_path / "serving.json"),  # where this room says it serves, for `workshop open`
    )
    env.pop("ALLOWED_HOSTS", None)
    return env


def serve(env: dict, port: int) -> ServerProcess:
    """`make workshop PORT=<port>`: migrate, then Daphne on every address (a fresh database takes a few seconds)."""
    argv = [sys.executable, "-m", "workshop.serve", "--port", str(port)]
    return ServerProcess("make workshop", argv, env, port, COMMAND)  # it migrates first: a command's deadline


def manage(env: dict, *argv: str, cwd: Path = REPO_DIR) -> str:
    """What `python manage.py <argv>` prints, run in `cwd` (the instructor's checkout unless given)."""
    done = WarmDaphnes.run([sys.executable, "manage.py", *argv], cwd, env, COMMAND)
    assert done.returncode == 0, done.stderr
    return done.stdout


def open_room(env: dict, port: int) -> str:
    """The instructor's first two commands: `workshop open` (its last line is the join code) and a staff account."""
    code = manage(env, "workshop", "open", "--port", str(port)).splitlines()[-1]
    manage(env, "createsuperuser", "--noinput", "--username", "teacher", "--email", "teacher@example.com")
    return code


def checkout(tmp_path: Path, name: str) -> Path:
    """A student's checkout of the course: every file git tracks or would (what `git clone` and their edits give)."""
    argv = ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"]
    listed = subprocess.run(argv, cwd=REPO_DIR, capture_output=True, check=True).stdout.decode().split("\0")
    into = tmp_path / name
    for relative in filter(None, listed):
        source = REPO_DIR / relative
        if source.is_file():  # a file deleted but not yet committed is listed too
            (into / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / relative)
    return into


def student_terminal() -> dict:
    """A student's terminal: none of the test run's database settings, the connection saved in the checkout.

    Its reports may take FRAME, not 0.8 s (REPORTS_ARRIVE): these tests prove what the room does with a
    report, and a busy test machine must not make one give up (test_client_slow.py proves the give-up).
    """
    drop = ("DATABASE_URL", "TEST_DATABASE_NAME", "WORKSHOP_FILE", "EXERCISES_STARTERS", "SECRET_KEY")
    return {key: value for key, value in os.environ.items() if key not in drop} | REPORTS_ARRIVE


def log_in(browser, server: ServerProcess) -> None:
    """The instructor logs in through the login page (as `teacher`, open_room's account) and lands on the live room."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server.http_url}/accounts/login/?next=/workshop/")
    browser.find_element(By.NAME, "username").send_keys("teacher")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
    WebDriverWait(browser, CONDITION).until(lambda _: browser.current_url.endswith("/workshop/"))


def instructor(server: ServerProcess) -> urllib.request.OpenerDirector:
    """A browser logged in as the staff user `teacher` through the login page, CSRF token and all."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = browser.open(f"{server.http_url}/accounts/login/", timeout=FRAME).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = f"csrfmiddlewaretoken={csrf}&username=teacher&password={PASSWORD}&next=/workshop/".encode()
    assert browser.open(f"{server.http_url}/accounts/login/", form, timeout=FRAME).url.endswith("/workshop/")
    return browser


def room_json(browser, server: ServerProcess) -> dict:
    return json.loads(browser.open(f"{server.http_url}/workshop/room.json", timeout=FRAME).read())


def join(server: ServerProcess, code: str, name: str) -> str:
    """POST /workshop/join/ as a student's checkout does; the token."""
    body = json.dumps({"code": code, "name": name}).encode()
    request = urllib.request.Request(f"{server.http_url}/workshop/join/", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=FRAME) as answer:
        assert answer.status == 201
        return json.loads(answer.read())["token"]
