"""Lesson 17: POST /workshop/join/, the one HTTP door a student reaches.

A student's checkout posts {"code": "<join code>", "name": "<name>"} here
(`python manage.py workshop join <url> <code> --name <name>`) and gets back the
token its socket sends first (workshop/tokens.py):

    201 {"token": ..., "name": ..., "socket": "/ws/workshop/student/"}
    400 not JSON, not an object, a name that is not 1-40 letters, digits, space, _ . -,
        a name that mixes scripts or cannot be told apart on the page (workshop/names.py)
    403 unknown or closed join code        409 the name is taken, or one drawn alike (workshop/names.py)
    429 over 10 wrong codes a minute from one address    405 any method but POST

The join code is the credential, so it is throttled like lesson 16's password
guesser: every attempt counted in Django's cache, per client address, before
the code is looked at, and a right code takes its count back (as a login that
works does): a guess costs what it always did, and thirty students behind one
address join in the first minute. Each refusal (a wrong code, or too many) is
counted on the workshop, for the instructor's page (room.json's refused_joins).
"""

import json
import re
import secrets
import time
import unicodedata

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from lessons.clients import client_address
from workshop import names, room
from workshop.models import Student, Workshop
from workshop.tokens import issue_token

STUDENT_SOCKET = "/ws/workshop/student/"
NAME = re.compile(r"[\w .-]{1,40}")  # \w: letters and digits of any script, and _
WRONG_CODES_PER_MINUTE = 10  # per client address; a right code is not counted, so a class behind one address joins
EXAMPLE = 'expected a JSON object like {"code": "K7Q2M9XA", "name": "alice"}'


class BadJoin(Exception):
    """A request this view cannot read: its text is the 400's error."""


def clock() -> float:
    """Seconds since the epoch: the clock the throttle's windows follow (tests move it)."""
    return time.time()


# No CSRF token: the CSRF check protects a browser's cookies from other sites, and this
# view reads no cookie and no session. The join code in the body is the whole credential,
# and a command-line client has no page to fetch a CSRF token from.
@csrf_exempt
@require_POST
def join(request):
    """POST /workshop/join/: admit a named student to the open workshop whose code they typed."""
    try:
        attempt = count_attempt(address_of(request.META.get("REMOTE_ADDR", "")))
    except RedisError:  # the counters are unreadable: refuse rather than let guesses through uncounted
        return JsonResponse({"error": "joining is unavailable for a moment: try again"}, status=503)
    if attempt is None:
        refused()
        return JsonResponse({"error": "too many join attempts: wait a minute"}, status=429)
    try:
        code, name = read_request(request.body)
    except BadJoin as error:
        take_back(attempt)  # the code was never compared: no guess was made
        return JsonResponse({"error": str(error)}, status=400)
    workshop = Workshop.objects.filter(closed_at=None).order_by("-pk").first()
    if workshop is None or not code_matches(code, workshop.code):
        refused()  # the guess keeps its count
        return JsonResponse({"error": "unknown or closed join code"}, status=403)
    take_back(attempt)  # the right code: a class behind one address is not thirty guesses
    try:
        student = admit(workshop, name)
    except IntegrityError:  # the constraint (ASCII case), when two joins under one name meet
        return JsonResponse({"error": f"the name {name} is taken in this workshop: choose another"}, status=409)
    except NameTaken as taken:  # folded, or drawn alike
        return JsonResponse({"error": str(taken)}, status=409)
    room.tell_staff_now(workshop.pk, {"type": "room.student", "student": room.student_entry(student.pk)})
    return JsonResponse({"token": issue_token(student), "name": name, "socket": STUDENT_SOCKET}, status=201)


class NameTaken(Exception):
    """Another student of the workshop has this name once folded, or one drawn alike (workshop/names.py)."""


@transaction.atomic
def admit(workshop: Workshop, name: str) -> Student:
    """The new student, unless another in the workshop has the same name once folded (NameTaken, rolled back)."""
    # Written first: on SQLite the write takes the database's one write lock, where a read first would
    # fail to upgrade with "database is locked" when joins arrive together.
    student = Student.objects.create(workshop=workshop, name=name, last_seen=timezone.now())
    # On PostgreSQL, joins to one workshop take turns from here: the second sees the first's row.
    Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
    others = workshop.students.exclude(pk=student.pk).values_list("name", flat=True)
    # émile and ÉMILE, straße and STRASSE: the constraint's lower() folds ASCII alone on SQLite.
    if names.folded(name) in {names.folded(other) for other in others}:
        raise NameTaken(f"the name {name} is taken in this workshop: choose another")
    # sophie and ѕорһіе (Cyrillic), Ian and lan: another name, the same on the page.
    if (twin := next((other for other in others if names.look_alike(name, other)), None)) is not None:
        raise NameTaken(f"the name {name} looks like {twin}, taken in this workshop: choose another")
    return student


def read_request(body: bytes) -> tuple[str, str]:
    """The join code (as typed: upper case, no surrounding space) and the name; BadJoin if unreadable."""
    if len(body) > 4096:
        raise BadJoin(f"{EXAMPLE}, got {len(body)} bytes")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BadJoin(f"{EXAMPLE}, got a body that is not JSON") from None
    if not isinstance(data, dict):
        raise BadJoin(f"{EXAMPLE}, got {type(data).__name__}")
    code, name = data.get("code"), data.get("name")
    if not isinstance(code, str):
        raise BadJoin(f'expected "code" to be a string, got {type(code).__name__}')
    if not isinstance(name, str):
        raise BadJoin(f'expected "name" to be a string, got {type(name).__name__}')
    # NFKC: a name typed in full-width letters is the same name as in plain ones.
    name = unicodedata.normalize("NFKC", name).strip()
    if (unseen := names.unseen(name)) is not None:  # before NAME: a filler is a letter to \w
        raise BadJoin(unseen)
    if not NAME.fullmatch(name):
        raise BadJoin('expected "name" of 1 to 40 letters, digits, spaces, "_", "." or "-"')
    if (mixed := names.mixed_scripts(name)) is not None:
        raise BadJoin(mixed)
    return code.strip().upper(), name


def code_matches(typed: str, code: str) -> bool:
    """Whether the typed code is the workshop's, compared in constant time."""
    # compare_digest takes as long whatever the first wrong character, so a guesser learns
    # nothing from the timing; given str, it takes ASCII only (a code is ASCII anyway).
    return typed.isascii() and secrets.compare_digest(typed, code)


def address_of(remote_addr: str) -> str | None:
    """Whose counter a request uses: lessons/clients.py's client_address(), as every budget's (an IPv6 laptop by its
    /64); None for the machine itself or no address, which the join door counts together, as one client."""
    return client_address({"client": (remote_addr, 0)})


def count_attempt(address: str) -> str | None:
    """Count one attempt from `address` in this minute's window: its counter's key, or None once over the limit."""
    window = int(clock() // 60)
    key = f"workshop-join:{address}:{window}"
    # Counted before the code is compared, and taken back when it was right (take_back): counted after a
    # wrong one instead, guesses sent at once would all be compared before any was counted.
    # incr() and add() are atomic (lesson 16's throttle says why the async aincr() is not).
    try:
        count = cache.incr(key)
    except ValueError:  # this window's first attempt
        count = 1 if cache.add(key, 1, 60) else cache.incr(key)
    return key if count <= WRONG_CODES_PER_MINUTE else None


def take_back(key: str) -> None:
    """Take back an attempt that guessed nothing (the right code, or no code read); a counter gone has nothing to give."""
    try:
        cache.decr(key)
    except (ValueError, RedisError):
        pass  # the window ended meanwhile, or Redis went away: the count stays, which only errs on the safe side


def refused() -> None:
    """Count a refused join on the open workshop: the instructor's page shows how many (room.json)."""
    Workshop.objects.filter(closed_at=None).update(refused_joins=F("refused_joins") + 1)
