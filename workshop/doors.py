"""The room's doors (lesson 17): no password the course prints opens them, and every login door is throttled.

`make workshop` serves the instructor's own course database to a room of
students who have read the same lessons: lesson 07 (and 11) has everyone make
the superuser `ada` with the password `analytical-engine`. Two things keep
that account, and any other the course prints a password for, from opening the
staff side:

    refusal()               workshop/serve.py asks it before Daphne starts: while any
                            active account's password is one the course prints, the room
                            does not start, and says which account and what to do
    NoPrintedPasswords      an authentication backend: a password the course prints is
                            refused at every door that calls authenticate() (the login
                            form, the admin's, lesson 07's socket login), so an account
                            made while the room is serving cannot open it either

and every door a password opens is throttled per address and per name, on
lesson 16's counters, before the password is checked: not by the room alone,
but by every settings module (auth_demo/password_doors.py, in lessons/settings.py's
MIDDLEWARE), production included. The room counts a name per address
(LOGIN_NAME_COUNTED_PER_ADDRESS), so no student locks the instructor out.
"""

import functools
import re
from pathlib import Path

from django.core.exceptions import PermissionDenied

REPO_DIR = Path(__file__).resolve().parent.parent
# Where the course prints passwords for the reader to type, and how: an environment line
# (DJANGO_SUPERUSER_PASSWORD=...) or a JSON login frame ({"password": "..."}).
PRINTED = (
    re.compile(r"PASSWORD=([^\s`'\"]+)"),
    re.compile(r'"password":\s*"([^"{}]+)"'),
)


@functools.cache
def printed_passwords() -> dict[str, str]:
    """Every password the course's texts print, each with the first text that prints it."""
    found: dict[str, str] = {}
    for text in [*sorted((REPO_DIR / "lessons").glob("*.md")), REPO_DIR / "NOTES.md", REPO_DIR / "README.md"]:
        if not text.exists():
            continue
        for pattern in PRINTED:
            for password in pattern.findall(text.read_text(encoding="utf-8")):
                found.setdefault(password, text.relative_to(REPO_DIR).as_posix())
    return found


def accounts_with_printed_passwords() -> list[tuple[str, str]]:
    """(username, the text that prints its password) for each active account whose password the course prints."""
    from django.contrib.auth import get_user_model

    found = []
    for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
        for password, text in printed_passwords().items():
            if user.has_usable_password() and user.check_password(password):
                found.append((user.get_username(), text))
                break
    return found


def refusal() -> str | None:
    """Why the room must not start (an account opens with a printed password), with what to do; None if it may."""
    found = accounts_with_printed_passwords()
    if not found:
        return None
    lines = ["The room does not start: anyone in it has read the password of"]
    lines += [f"  {name!r}, printed in {text}" for name, text in found]
    lines += [
        "and could log in as it from their laptop: the staff page, room.json, the admin, the message box.",
        "Give each a password of your own, then run make workshop again:",
        *(f"  python manage.py changepassword {name}" for name, _ in found),
    ]
    return "\n".join(lines)


class NoPrintedPasswords:
    """An authentication backend placed first: a password the course prints opens no account in the room."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        """Called by authenticate() before ModelBackend; PermissionDenied stops every later backend."""
        if password in printed_passwords():
            raise PermissionDenied("a password the course prints opens nothing in the workshop room")
        return None  # not ours to decide: the next backend checks the password

    def get_user(self, user_id):
        return None
