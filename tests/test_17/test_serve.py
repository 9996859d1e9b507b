"""Lesson 17: what `make workshop` (workshop/serve.py) prepares: its key, its hosts, production's settings minus HTTPS."""

import importlib
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.helpers.workshop import open_workshop
from workshop import serve


def test_the_secret_key_comes_from_the_environment_first(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", " the-instructors-own-key ")
    assert serve.secret_key(tmp_path / "key") == "the-instructors-own-key"
    assert not (tmp_path / "key").exists()


def test_without_one_a_key_is_made_once_kept_in_a_private_file(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, again = serve.secret_key(tmp_path / "key"), serve.secret_key(tmp_path / "key")
    assert first == again and len(first) >= 50
    assert (tmp_path / "key").stat().st_mode & 0o077 == 0


def test_the_kept_key_is_git_ignored():
    from course.catalogue import REPO_DIR

    assert serve.SECRET_FILE.name in (REPO_DIR / ".gitignore").read_text().splitlines()


def test_allowed_hosts_name_the_lan_address_loopback_and_the_environments(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "teacher.local, 192.168.1.20")
    assert serve.allowed_hosts("192.168.1.20") == "192.168.1.20,localhost,127.0.0.1,[::1],teacher.local"


def imported_room_settings(monkeypatch):
    """lessons/settings_room.py imported afresh, with the environment `make workshop` gives it."""
    monkeypatch.setenv("SECRET_KEY", "a-key-for-this-test-only-" + "x" * 30)
    monkeypatch.setenv("ALLOWED_HOSTS", "192.168.1.20,localhost")
    for name in ("lessons.settings_production", "lessons.settings_room"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module("lessons.settings_room")


def test_the_room_serves_what_production_serves(monkeypatch):
    room_settings = imported_room_settings(monkeypatch)
    served = [room_settings.DEBUG, room_settings.SERVE_HAZARD_DEMOS, room_settings.INSPECTOR_ENABLED]
    assert served + [room_settings.COURSE_DEVELOPMENT] == [False] * 4
    assert room_settings.ALLOWED_HOSTS == ["192.168.1.20", "localhost"]
    assert "workshop" in room_settings.INSTALLED_APPS


def test_the_room_asks_for_no_https_it_cannot_have(monkeypatch):
    room_settings = imported_room_settings(monkeypatch)
    https = [room_settings.SECURE_SSL_REDIRECT, room_settings.SESSION_COOKIE_SECURE, room_settings.CSRF_COOKIE_SECURE]
    assert https == [False] * 3
    assert (room_settings.SECURE_HSTS_SECONDS, room_settings.SECURE_PROXY_SSL_HEADER) == (0, None)


@pytest.mark.django_db
def test_with_no_staff_account_the_instructor_is_told_to_make_one():
    assert serve.to_do()[0].endswith("python manage.py createsuperuser")


@pytest.mark.django_db
def test_with_a_staff_account_and_an_open_workshop_nothing_is_left_to_do(django_user_model):
    django_user_model.objects.create(username="teacher", is_staff=True)
    open_workshop()
    assert serve.to_do() == []


def started_daphne(monkeypatch, tmp_path, argv: list[str]) -> list[str]:
    """The command line serve.main(argv) gives Daphne's, in its own process (the database's part left out)."""
    from workshop.gate import RoomCommandLine as CommandLineInterface

    for name in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "PYTHONUNBUFFERED"):
        monkeypatch.setenv(name, "as before")  # serve.main() sets them: monkeypatch puts them back
    monkeypatch.setenv("WORKSHOP_SERVING", str(tmp_path / "serving.json"))  # never the checkout's own
    monkeypatch.setattr(serve, "prepare", lambda: [])
    monkeypatch.setattr(serve, "refusal", lambda: None)
    monkeypatch.chdir(serve.REPO_DIR)  # run_daphne() serves from the checkout: monkeypatch goes back after
    started = []
    monkeypatch.setattr(CommandLineInterface, "run", lambda self, args: started.extend(args))  # no server started
    assert serve.main(argv) == 0
    return started


def test_serve_with_a_host_binds_daphne_to_that_address_alone(monkeypatch, tmp_path, capsys):
    daphne = started_daphne(monkeypatch, tmp_path, ["--host", "127.0.0.1", "--port", "8123", "--no-nginx"])
    assert daphne[daphne.index("-b") + 1] == "127.0.0.1"
    assert "http://127.0.0.1:8123/workshop/" in capsys.readouterr().out  # the address it can be reached at


def test_serve_without_a_host_binds_every_address_of_the_machine(monkeypatch, tmp_path):
    daphne = started_daphne(monkeypatch, tmp_path, ["--port", "8123", "--no-nginx"])
    assert daphne[daphne.index("-b") + 1] == "0.0.0.0"


def test_with_nginx_it_takes_the_rooms_address_and_daphne_a_loopback_port(monkeypatch, tmp_path):
    from workshop import proxy

    fronts = []

    class Front:  # lesson 13's nginx, as serve.py starts it (workshop/proxy.py), not started here
        def __init__(self, program, listen, upstream, worker_connections):
            fronts.append((listen, upstream))

        def start(self):
            pass

        def stop(self):
            pass

    monkeypatch.setattr(proxy, "nginx", lambda: "/usr/sbin/nginx")
    monkeypatch.setattr(proxy, "Proxy", Front)
    daphne = started_daphne(monkeypatch, tmp_path, ["--port", "8123"])
    [(listen, upstream)] = fronts
    assert listen == "0.0.0.0:8123" and upstream == f"127.0.0.1:{daphne[daphne.index('-p') + 1]}"
    assert daphne[daphne.index("-b") + 1] == "127.0.0.1" and "--proxy-headers" in daphne


def make_workshop_command(*arguments: str, env: dict | None = None) -> str:
    """The line `make workshop` would run (make -n), for these arguments."""
    from course.catalogue import REPO_DIR
    from tests.helpers import require

    require(shutil.which("make") is not None, "make is not installed (apt install make)")
    done = subprocess.run(["make", "-n", "workshop", *arguments], cwd=REPO_DIR, env=env, capture_output=True, text=True)
    [line] = [line for line in done.stdout.splitlines() if "-m workshop.serve" in line]
    return line


def test_make_workshop_host_reaches_the_server():
    assert make_workshop_command("HOST=127.0.0.1").endswith("-m workshop.serve --host 127.0.0.1 --port 8000")


def test_make_workshop_ignores_a_host_the_shell_exports_as_the_machines_name():
    env = {**os.environ, "HOST": "teachers-laptop"}
    assert make_workshop_command(env=env).endswith("-m workshop.serve --host 0.0.0.0 --port 8000")


def test_the_room_throttles_every_login_door_and_refuses_the_printed_passwords(monkeypatch):
    room_settings = imported_room_settings(monkeypatch)
    assert room_settings.MIDDLEWARE[-1] == "auth_demo.password_doors.LoginThrottleMiddleware"  # lesson 16's, everywhere
    assert room_settings.AUTHENTICATION_BACKENDS[0] == "workshop.doors.NoPrintedPasswords"


def test_the_instructors_session_lasts_a_workshop_day_at_most_not_two_weeks(monkeypatch):
    room_settings = imported_room_settings(monkeypatch)
    assert room_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert room_settings.SESSION_COOKIE_AGE == 12 * 60 * 60


@pytest.mark.parametrize(
    ("limits", "raised", "short"),
    [
        ((1024, 1_048_576), 4096, False),
        ((256, 2048), 2048, False),
        ((256, 512), 512, True),
        ((8192, 8192), 8192, False),
    ],
    ids=["desktop", "to-the-hard-limit", "hard-limit-too-low", "enough-already"],
)
def test_the_room_raises_its_open_file_limit_or_says_how(monkeypatch, limits, raised, short):
    resource = pytest.importorskip("resource", reason="Windows has no per-process open-file limit to raise")
    now = list(limits)
    monkeypatch.setattr(resource, "getrlimit", lambda kind: tuple(now))
    monkeypatch.setattr(resource, "setrlimit", lambda kind, pair: now.__setitem__(0, pair[0]))
    files, warning = serve.open_files()
    assert (files, now[0]) == (raised, raised)
    assert (warning is not None) == short
    if short:
        assert "ulimit -n 4096" in warning


def test_while_the_room_serves_sqlite_a_calls_closed_connection_does_not_checkpoint(tmp_path):
    path = tmp_path / "room.sqlite3"
    call = sqlite3.connect(path)  # one database call's connection, as Django opens and closes it
    call.execute("PRAGMA journal_mode=WAL")
    call.execute("CREATE TABLE report (text)")
    call.commit()
    held = serve.hold_database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)})
    call.execute("INSERT INTO report VALUES ('01.1 failing')")
    call.commit()
    call.close()
    assert (tmp_path / "room.sqlite3-wal").stat().st_size > 0  # not checkpointed: no wait on the disk
    held.close()  # the room stops: the last connection checkpoints
    assert not (tmp_path / "room.sqlite3-wal").exists()
    assert sqlite3.connect(path).execute("SELECT text FROM report").fetchall() == [("01.1 failing",)]


def test_on_postgresql_the_room_holds_no_connection_of_its_own():
    assert serve.hold_database({"ENGINE": "django.db.backends.postgresql", "NAME": "room"}) is None
