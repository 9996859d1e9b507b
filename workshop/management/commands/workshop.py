"""`python manage.py workshop <subcommand>`: the workshop room from a terminal (lesson 17).

The instructor's laptop:  open [--port 8000]   open a new workshop; print the students' join command
                                                 (the address `make workshop` serves at; with none
                                                 serving, the LAN address and --port) and, alone
                                                 on the last line, the join code
                          close                 the workshop ends: its code admits no one new, its
                                                 students' tokens end
A student's checkout:     join <url> <code> --name <name>, leave, help [--down], share NN.K
                          (workshop/students.py; the connection is saved in .workshop.json)
"""

import secrets

from django.core.management.base import BaseCommand
from django.utils import timezone

from workshop import network, room, students
from workshop.models import Workshop
from workshop.network import lan_address

# Letters and digits read aloud or off a projector without doubt: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31**8, about 850 billion codes; 10 guesses a minute per address (workshop/join.py)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Command(BaseCommand):
    help = "The workshop room: open/close it (instructor), join/leave/help/share (student)."
    # Not Django's system checks first: they read every URL and model of the course (about a quarter of a
    # CPU-second of each command), and a student's join must not stop over a lesson they have not reached.
    # `python manage.py doctor` runs them, as one line of its report.
    requires_system_checks = []

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")
        opening = subcommands.add_parser("open", help="open a new workshop and print its join code")
        opening.add_argument(
            "--port", type=int, default=8000, help="with no room serving yet: the port `make workshop` will serve on"
        )
        subcommands.add_parser("close", help="end the workshop: no new joins, every student's token ends")
        joining = subcommands.add_parser("join", help="join the workshop served at URL")
        joining.add_argument("url", help="the instructor's server, e.g. http://192.168.1.20:8000")
        joining.add_argument("code", help="the join code the instructor shows")
        joining.add_argument("--name", required=True, help="your name on the instructor's page")
        subcommands.add_parser("leave", help="leave the workshop: your token ends, nothing is reported any more")
        hand = subcommands.add_parser("help", help="raise your hand on the instructor's page")
        hand.add_argument("--down", action="store_true", help="lower it again")
        sharing = subcommands.add_parser("share", help="show the instructor your file for exercise NN.K")
        sharing.add_argument("exercise", help="an exercise id, e.g. 04.2")

    def handle(self, *args, subcommand, **options):
        if subcommand == "open":
            self.open(options["port"])
            return
        if subcommand == "close":
            self.close()
            return
        out, err = self.stdout, self.stderr
        status = {
            "join": lambda: students.join(options["url"], options["code"], options["name"], out, err),
            "leave": lambda: students.leave(out, err),
            "help": lambda: students.help(options["down"], out, err),
            "share": lambda: students.share(options["exercise"], out, err),
        }[subcommand]()
        if status:
            raise SystemExit(status)  # the one line on stderr is said; no "CommandError:" around it

    def open(self, port: int) -> None:
        now = timezone.now()
        earlier = Workshop.objects.filter(closed_at=None).update(closed_at=now)
        workshop = Workshop.objects.create(code=new_code())
        # Where the running room answers (workshop/network.py), else this machine's LAN address and --port.
        served = network.served_url()
        url = served or f"http://{lan_address()}:{port}"
        replaced = " (the one that was open is closed: its students' tokens stop working)" if earlier else ""
        serve = (
            "The room is served: watch it at"
            if served
            else (f"No room answers yet: serve it with `make workshop PORT={port}`, then watch it at")
        )
        lines = [
            f"Opened workshop {workshop.pk}{replaced}.",
            serve,
            f"{url}/workshop/ (logged in as a staff user).",
            "",
            "Each student types, in their own checkout:",
            "",
            f"    python manage.py workshop join {url} {workshop.code} --name <your name>",
            "",
            "The join code (`python manage.py workshop close` ends the workshop, and every token with it):",
            workshop.code,  # alone on the last line: a script can take it with `tail -1`
        ]
        self.stdout.write("\n".join(lines))

    def close(self) -> None:
        open_ones = list(Workshop.objects.filter(closed_at=None).values_list("pk", flat=True))
        closed = Workshop.objects.filter(pk__in=open_ones).update(closed_at=timezone.now())
        for workshop_id in open_ones:  # the page shows it at once (with Redis; else within a second)
            room.tell_staff_now(workshop_id, {"type": "room.changed"})
        if closed:
            self.stdout.write("Closed the workshop: its code admits no one new, and every student's token has ended.")
        else:
            self.stdout.write("No workshop is open: nothing to close.")
