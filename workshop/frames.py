"""What the workshop room's sockets may send (lesson 17): each frame read, checked, and named here.

The student socket (workshop/student_socket.py) calls `first_frame()` for the
token and `student_frame()` for every frame after it; the staff socket
(workshop/staff_socket.py) calls `staff_frame()`. Each turns a ClientError
into an `{"error": ...}` frame for that socket alone. No frame names a student: the
token decides whose rows a frame writes, so no field here could say "I am bob".

An exercise id must be one of the course's (catalogue()), so a student holds at
most one status per exercise of the course (58 today: Status's constraint does
the rest), and the page at most that many rows of pace: any `NN.K` once let one
student add 10,000 rows and cells.
"""

import functools
import json
import re

KINDS = ("report", "doctor", "help", "share", "here", "seen")
EXERCISE = re.compile(r"[0-9]{2}\.[0-9]{1,2}")  # "01.1", "16.12"
MAX_CHECK = 200  # characters of a failing check's name
MAX_SAYS = 300  # characters of the one line a failing check says ("What it says")
MAX_PATH = 300  # characters of a shared file's path
MAX_PROBLEMS, MAX_PROBLEM = 20, 300  # lines in a doctor's verdict, and characters a line
MAX_VERSION = 40  # characters of the Python or Django version a doctor names
MAX_CODE = 64 * 1024  # bytes of a shared file
MAX_MESSAGE = 500  # characters of an instructor's message
MAX_NAME = 40  # characters of a student's name (Student.name)
# Refuse a huge frame before parsing it (Daphne lets 1 MiB through). A shared file of 64 KiB
# can grow sixfold as JSON: each control character is spelt \u00XX.
MAX_FRAME = 6 * MAX_CODE + 4096
ONE_OF = "one of " + ", ".join(f'"{kind}"' for kind in KINDS)
# The error a token of a workshop that is over gets, just before its 4401: the laptop says the workshop
# ended (workshop/client.py), rather than "join again".
WORKSHOP_ENDED = "the workshop has ended"


class ClientError(Exception):
    """A frame this socket cannot take: its text is sent back as {"error": text}."""


def reject_constant(name: str):
    # Python's json reads NaN and Infinity; no browser's JSON.parse does, and room.json must parse.
    raise ValueError(f"{name} is not JSON")


def parse(text: str | None) -> object:
    """The JSON value of a text frame, or ClientError."""
    if text is None:
        raise ClientError(f"expected a text frame holding a JSON object with {ONE_OF}, got a binary frame")
    if len(text) > MAX_FRAME:
        raise ClientError(f"frame too large: {len(text)} characters, at most {MAX_FRAME}")
    try:
        return json.loads(text, parse_constant=reject_constant)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep to decode
        raise ClientError(f"expected a JSON object with {ONE_OF}, got text that is not JSON") from None


def first_frame(text: str | None) -> tuple[str, int | None] | None:
    """(token, since) of a first frame {"token": "...", "since": N}; None for any other frame."""
    try:
        frame = parse(text)
    except ClientError:
        return None
    if not isinstance(frame, dict) or not isinstance(frame.get("token"), str) or set(frame) - {"token", "since"}:
        return None
    since = frame.get("since")
    if since is not None and (type(since) is not int or not 0 <= since < 10**18):
        return None  # not an id: true, 1.5, -1, "3"
    return frame["token"], since


def student_frame(text: str | None) -> tuple[str, object]:
    """(kind, value) of a frame after the token, its value checked; ClientError for anything else."""
    frame = parse(text)
    if not isinstance(frame, dict):
        raise ClientError(f"expected a JSON object with {ONE_OF}, got {type(frame).__name__}")
    if len(frame) != 1 or next(iter(frame)) not in KINDS:
        raise ClientError(f"expected exactly one key, {ONE_OF}; got {sorted(frame)[:5]}")
    kind, value = next(iter(frame.items()))
    return kind, CHECKS[kind](value)


def text_field(value: object, field: str, limit: int, unit: str = "characters") -> str:
    """`value` if it is a string a database can store, at most `limit` long; else ClientError."""
    if not isinstance(value, str):
        raise ClientError(f'expected "{field}" to be a string, got {type(value).__name__}')
    try:
        encoded = value.encode()
    except UnicodeEncodeError:  # JSON may spell lone surrogates ("\ud800"); no database stores them
        raise ClientError(f'expected "{field}" to be valid Unicode, got a lone surrogate') from None
    size = len(encoded) if unit == "bytes" else len(value)
    if size > limit:
        raise ClientError(f'expected "{field}" of at most {limit} {unit}, got {size}')
    if "\x00" in value:  # PostgreSQL's text columns cannot hold NUL
        raise ClientError(f'expected "{field}" without NUL characters')
    return value


@functools.cache
def catalogue() -> frozenset[str]:
    """The ids of the course's exercises, read once from exercises/ (course/kit/registry.py): 58 today."""
    from course.kit.registry import EXERCISES  # the room's side only: a student's laptop never loads the kit here

    return frozenset(exercise.id for exercise in EXERCISES)


def exercise(value: object) -> str:
    if not isinstance(value, str) or not EXERCISE.fullmatch(value) or value not in catalogue():
        raise ClientError(
            'expected "exercise" to be the id of one of the course\'s exercises, like "04.2" '
            "(python manage.py exercise lists them)"
        )
    return value


def fields(value: object, kind: str, example: str) -> dict:
    if not isinstance(value, dict):
        raise ClientError(f'expected "{kind}" to be an object like {example}, got {type(value).__name__}')
    return value


def optional_text(value: object, field: str, limit: int) -> str:
    """text_field(), with a field that is missing or null read as "" (a report may name no check)."""
    return "" if value is None else text_field(value, field, limit)


def report(value: object) -> dict:
    report = fields(value, "report", '{"exercise": "01.1", "status": "failing", "check": "<name>", "says": "<line>"}')
    if report.get("status") not in ("passing", "failing"):
        raise ClientError('expected "status" to be "passing" or "failing"')
    # A failing run may name no check (the check file itself would not load): "" then.
    return {
        "exercise": exercise(report.get("exercise")),
        "status": report["status"],
        "check": optional_text(report.get("check"), "check", MAX_CHECK),
        "says": optional_text(report.get("says"), "says", MAX_SAYS),
    }


def doctor(value: object) -> dict:
    """The verdict rebuilt from the fields the page shows, each checked; any other key is dropped."""
    verdict = fields(value, "doctor", '{"ready": true, "problems": [], "python": "3.12.1", "django": "5.2"}')
    if not isinstance(verdict.get("ready"), bool):
        raise ClientError('expected "ready" to be true or false')
    problems = [] if verdict.get("problems") is None else verdict["problems"]
    if not isinstance(problems, list) or len(problems) > MAX_PROBLEMS:
        raise ClientError(f'expected "problems" to be a list of at most {MAX_PROBLEMS} lines')
    return {
        "ready": verdict["ready"],
        "problems": [text_field(line, "problems", MAX_PROBLEM) for line in problems],
        "python": optional_text(verdict.get("python"), "python", MAX_VERSION),
        "django": optional_text(verdict.get("django"), "django", MAX_VERSION),
    }


def kept_doctor(value: object) -> dict | None:
    """A verdict read back from the database, as doctor() would take it; None if it would not (saved before it checked)."""
    try:
        return doctor(value)
    except ClientError:
        return None


def help(value: object) -> bool:  # the frame's name; shadows the builtin in this module only
    if not isinstance(value, bool):
        raise ClientError('expected "help" to be true (raise your hand) or false (lower it)')
    return value


def share(value: object) -> dict:
    share = fields(value, "share", '{"exercise": "01.1", "path": "<file>", "code": "<its text>"}')
    path = text_field(share.get("path"), "path", MAX_PATH)
    if not path:
        raise ClientError('expected "path" to name the shared file')
    return {
        "exercise": exercise(share.get("exercise")),
        "path": path,
        "code": text_field(share.get("code"), "code", MAX_CODE, "bytes"),
    }


def here(value: object) -> bool:
    if value is not True:
        raise ClientError('expected {"here": true}, the heartbeat')
    return True


def seen(value: object) -> int:
    """{"seen": N}: the laptop printed the instructor's messages up to id N."""
    if type(value) is not int or not 0 <= value < 10**18:  # not true, 1.5, -1 or "3"
        raise ClientError('expected {"seen": <the id of the newest message printed>}')
    return value


CHECKS = {"report": report, "doctor": doctor, "help": help, "share": share, "here": here, "seen": seen}
STAFF = (
    'expected {"message": "<text>"} for every student, {"remove": "<name>"} to take a student off, '
    'or {"clear": {"name": "<name>", "exercise": "NN.K"}} to clear one status'
)


def staff_frame(text: str | None) -> tuple[str, object]:
    """(kind, value) of an instructor's frame: a message (1-500 characters), a student to remove, a status to clear."""
    frame = parse(text)
    if not isinstance(frame, dict) or len(frame) != 1 or next(iter(frame)) not in ("message", "remove", "clear"):
        raise ClientError(STAFF)
    kind, value = next(iter(frame.items()))
    if kind == "message":
        message = text_field(value, "message", MAX_MESSAGE).strip()
        if not message:
            raise ClientError('expected "message" to hold some text')
        return kind, message
    if kind == "remove":
        return kind, text_field(value, "remove", MAX_NAME)
    clear = fields(value, "clear", '{"name": "alice", "exercise": "01.1"}')
    # Any id a status may carry, not only the catalogue's: a status saved before a rule changed can be cleared too.
    if not isinstance(clear.get("exercise"), str) or not EXERCISE.fullmatch(clear["exercise"]) or len(clear) != 2:
        raise ClientError('expected {"clear": {"name": "<name>", "exercise": "NN.K"}}')
    return kind, {"name": text_field(clear.get("name"), "name", MAX_NAME), "exercise": clear["exercise"]}
