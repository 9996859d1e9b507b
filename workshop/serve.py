"""`make workshop`: the course served to a room from the instructor's laptop (lesson 17).

    python -m workshop.serve [--host 0.0.0.0] [--port 8000]

Daphne on every address of this machine (0.0.0.0), so laptops on the room's
network reach it; `--host 127.0.0.1` (`make workshop HOST=127.0.0.1`) serves
this laptop alone, to try the room without serving it to the network; with lessons/settings_room.py: DEBUG off, so the development
demos and the inspector are not served to a shared network. Before Daphne
starts: the SECRET_KEY (from the environment, or kept in a git-ignored file),
ALLOWED_HOSTS with this machine's LAN address, the database migrated, no
account that opens with a password the course prints (else it refuses to start,
workshop/doors.py), and a word on what to do next (make a staff account, open
the workshop). Then Daphne serves in this same process.
"""

import argparse
import os
import secrets
import sys
from pathlib import Path

from workshop import network
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
    sys.stdout.flush()
    # `workshop open` reads it for the students' join line: where this room answers, not a guess.
    network.announce(f"http://{address}:{port}", ("127.0.0.1" if host == EVERY_ADDRESS else host, port))
    try:
        run_daphne(host, port)
    finally:
        network.withdraw()
    return 0


def run_daphne(host: str, port: int) -> None:
    """`daphne -b <host> -p <port> lessons.asgi:application`, in this process, until Ctrl-C stops it.

    In this process, not a second one: Django is set up and migrated already (a second interpreter would
    import it all again, most of a second of the room's start), and this process's PID is the server's, so
    Ctrl-C, or a kill by its PID, reaches the server itself. Daphne's own command line reads the arguments.
    """
    from daphne.cli import CommandLineInterface
    from django.db import connections

    connections.close_all()  # migrate's connection: Daphne's handlers open their own, in their threads
    os.chdir(REPO_DIR)
    CommandLineInterface().run(["-b", host, "-p", str(port), "lessons.asgi:application"])


if __name__ == "__main__":
    sys.exit(main())
