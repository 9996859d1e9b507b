"""`make workshop`: the course served to a room from the instructor's laptop (lesson 17).

    python -m workshop.serve [--host 0.0.0.0] [--port 8000] [--no-nginx]

Daphne on every address of this machine (0.0.0.0), so laptops on the room's
network reach it; `--host 127.0.0.1` (`make workshop HOST=127.0.0.1`) serves
this laptop alone, to try the room without serving it to the network; with lessons/settings_room.py: DEBUG off, so the development
demos and the inspector are not served to a shared network. Before Daphne
starts: the SECRET_KEY (from the environment, or kept in a git-ignored file),
ALLOWED_HOSTS with this machine's LAN address, the database migrated, no
account that opens with a password the course prints (else it refuses to start,
workshop/doors.py), and a word on what to do next (make a staff account, open
the workshop). Then Daphne serves in this same process: behind lesson 13's nginx
where it is installed (workshop/proxy.py), else alone through the same doors
(workshop/gate.py), with the open files it needs; and it says where it serves,
for `workshop open`'s join line (workshop/network.py).
"""

import argparse
import os
import secrets
import sys
from pathlib import Path

from workshop import network, proxy
from workshop.network import lan_address

REPO_DIR = Path(__file__).resolve().parent.parent
SECRET_FILE = REPO_DIR / ".workshop-secret-key"  # git-ignored
EVERY_ADDRESS = "0.0.0.0"


def secret_key(path: Path = SECRET_FILE) -> str:
    """SECRET_KEY from the environment, else the one kept in `path` (made on first use)."""
    if os.environ.get("SECRET_KEY", "").strip():
        return os.environ["SECRET_KEY"].strip()
    # Kept, not made afresh each start: every student's token and the instructor's session are
    # signed with it, so a new key would log the whole room out at each restart.
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def allowed_hosts(address: str) -> str:
    """ALLOWED_HOSTS for the room: this machine's LAN address, loopback, and any the environment adds."""
    extra = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    return ",".join(dict.fromkeys([address, "localhost", "127.0.0.1", "[::1]", *extra]))


def prepare() -> list[str]:
    """Set Django up and migrate the database; what the instructor still has to do (to_do())."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    return to_do()


def refusal() -> str | None:
    """Why the room must not serve this database (workshop/doors.py), or None; after prepare()."""
    from workshop import doors

    return doors.refusal()


def to_do() -> list[str]:
    """What the instructor still has to do before the room works, one line each."""
    from django.contrib.auth import get_user_model

    from workshop.models import Workshop

    todo = []
    if not get_user_model().objects.filter(is_staff=True, is_active=True).exists():
        todo.append("No staff account yet, so no one can see the room: python manage.py createsuperuser")
    if not Workshop.objects.filter(closed_at=None).exists():
        todo.append("No workshop is open: python manage.py workshop open (it prints the students' join code)")
    return todo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workshop.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=EVERY_ADDRESS, help="the address to serve on (every one: 0.0.0.0)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument(
        "--no-nginx",
        action="store_true",
        help="Daphne alone, even where nginx is installed (its doors: workshop/gate.py)",
    )
    options = parser.parse_args(argv)
    host, port = options.host, options.port
    # Students type this machine's LAN address; served on one address alone, that one is the room's.
    address = lan_address() if host == EVERY_ADDRESS else host
    os.environ.update(
        DJANGO_SETTINGS_MODULE="lessons.settings_room",
        SECRET_KEY=secret_key(),
        ALLOWED_HOSTS=allowed_hosts(address),
        PYTHONUNBUFFERED="1",
    )
    todo = prepare()
    refused = refusal()
    if refused is not None:
        print(refused, file=sys.stderr)
        return 1
    print(f"The workshop room: http://{address}:{port}/workshop/ (staff only); the course at http://{address}:{port}/")
    for line in todo:
        print(f"  - {line}")
    print("Serving with DEBUG off: no demo hazards, no inspector. Ctrl-C stops it; students' results stay saved.")
    program = None if options.no_nginx else proxy.nginx()
    if program is not None:  # lesson 13's doors: nginx on the room's address, Daphne on a loopback port behind it
        inner = proxy.loopback_port()
        files, _ = open_files()  # nginx, a child, inherits the limit this raises
        front = proxy.Proxy(program, f"{host}:{port}", f"127.0.0.1:{inner}", max(512, (files - RESERVED_FILES) // 2))
        print(f"Behind nginx ({program}, lesson 13's deploy/nginx.conf); Daphne on 127.0.0.1:{inner}.")
    else:
        why = "--no-nginx" if options.no_nginx else "no nginx on this machine"
        print(f"Daphne serves alone ({why}), its doors in the application (workshop/gate.py).")
    sys.stdout.flush()
    # `workshop open` reads it for the students' join line: where this room answers, not a guess.
    network.announce(f"http://{address}:{port}", ("127.0.0.1" if host == EVERY_ADDRESS else host, port))
    try:
        if program is None:
            run_daphne(host, port)
        else:
            run_daphne("127.0.0.1", inner, behind=front)
    finally:
        network.withdraw()
    return 0


WANTED_FILES = 4096  # open files: sixty laptops' sockets, a flood's 100 per address, the database, the logs
NEEDED_FILES = 1024  # below this, one address's connections and a class's reports no longer fit together
RESERVED_FILES = 64  # kept from the connections: the database, the log, a share's temporary file


def open_files() -> tuple[int, str | None]:
    """Raise this process's open-file limit to WANTED_FILES where the hard limit allows: the limit, and a warning.

    A desktop's usual 1,024 (macOS: 256) ran out under 1,100 half-sent requests from one laptop, and then
    every other student's report failed at once.
    """
    try:
        import resource
    except ImportError:  # Windows: no such per-process limit to raise
        return WANTED_FILES, None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < WANTED_FILES:
        target = WANTED_FILES if hard == resource.RLIM_INFINITY else min(hard, WANTED_FILES)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass  # the system says no: the warning below says what to do
    if soft != resource.RLIM_INFINITY and soft < NEEDED_FILES:
        return soft, (
            f"This process may open only {soft} files (the system's hard limit), and a room needs {NEEDED_FILES}:"
            f" raise it (`ulimit -n {WANTED_FILES}` in this shell, as root if need be) and run make workshop again."
        )
    return (WANTED_FILES if soft == resource.RLIM_INFINITY else soft), None


def run_daphne(host: str, port: int, behind: "proxy.Proxy | None" = None) -> None:
    """`daphne -b <host> -p <port> lessons.asgi:application`, in this process, until Ctrl-C stops it, through the
    room's doors (workshop/gate.py: connections per address, header deadline, body cap).

    In this process, not a second one: Django is set up and migrated already (a second interpreter would
    import it all again, most of a second of the room's start), and this process's PID is the server's, so
    Ctrl-C, or a kill by its PID, reaches the server itself. Daphne's own command line reads the arguments.
    """
    from django.db import connections

    from workshop.gate import RoomCommandLine, RoomServer  # imports daphne.server: its reactor, in this process

    files, short = open_files()
    if short is not None:
        print(short, file=sys.stderr)
    RoomServer.total_connections = max(1, files - RESERVED_FILES)
    connections.close_all()  # migrate's connection: Daphne's handlers open their own, in their threads
    os.chdir(REPO_DIR)
    held = hold_database(connections["default"].settings_dict)  # open until the room stops (a relative path: here)
    argv = ["-b", host, "-p", str(port), "lessons.asgi:application"]
    try:
        if behind is None:
            RoomCommandLine().run(argv)
            return
        # Behind nginx: the client's address from X-Forwarded-For, which nginx sets (never appends to), and
        # nginx's doors; every connection Daphne sees is nginx's, so one address's cap would be everyone's.
        RoomServer.when_listening.append(behind.start)
        RoomServer.connections_per_address = RoomServer.total_connections
        try:
            RoomCommandLine().run(["--proxy-headers", *argv])
        finally:
            behind.stop()
    finally:
        if held is not None:
            held.close()  # the last connection: SQLite checkpoints the WAL into the file


def hold_database(database: dict):
    """On SQLite, one connection of this process's own to the room's file, open while the room serves; else None.

    Every database call of the room opens a connection and closes it after (the settings' conn_max_age=0,
    as Django asks of ASGI). Closing the last connection to a file in WAL mode checkpoints it, waiting on
    the disk: a third of the sync thread's time during a flood, every other student's report queued behind
    it. With this one open, no call's connection is the last; SQLite checkpoints as its WAL grows instead.
    What a report saved is committed before its `ok` either way: a restart loses nothing.
    """
    if database["ENGINE"] != "django.db.backends.sqlite3" or str(database["NAME"]).startswith(("file:", ":memory:")):
        return None
    import sqlite3

    held = sqlite3.connect(database["NAME"], check_same_thread=False)
    held.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # a connection opens its file on first use
    return held


if __name__ == "__main__":
    sys.exit(main())
