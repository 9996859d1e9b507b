"""The workshop room's data (lesson 17): what sockets save, and the one picture of the room.

Every function that touches the database is here, and runs in Django's sync
thread through database_sync_to_async when a consumer calls it (lesson 08).
`entry()` builds one student as the instructor sees them: room.json, the staff
socket's {"room": ...} and its {"student": ...} all use it, so they cannot
disagree. Nothing it returns holds a token, a join code or a student's code.
"""

import logging
import unicodedata
from collections import defaultdict
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from redis.exceptions import RedisError

from workshop.frames import kept_doctor
from workshop.models import Message, Share, Status, Student, Workshop
from workshop.tokens import student_named_by

logger = logging.getLogger(__name__)

# "online" is "active in the last few minutes", defined here alone: a student is online while the
# last frame their laptop sent (a check's result, a doctor, a hand, a watch's heartbeat) is at most
# ACTIVE_MINUTES old. A student who ran a check and is now editing is at work. Stored, not counted:
# it survives the server restarting, and a laptop that sleeps simply stops being online.
ACTIVE_MINUTES = 5
ACTIVE = timedelta(minutes=ACTIVE_MINUTES)
MESSAGES_SHOWN = 10  # the instructor's newest messages the page lists, with how many have seen each


def students_group(workshop_id: int) -> str:
    """The layer group of every student socket of a workshop: the instructor's messages go here."""
    return f"workshop-{workshop_id}-students"


def staff_group(workshop_id: int) -> str:
    """The layer group of the instructor's sockets: each student's change goes here."""
    return f"workshop-{workshop_id}-staff"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def exercise_order(exercise: str) -> tuple[int, int]:
    """ "04.2" -> (4, 2): so 01.10 comes after 01.9."""
    lesson, number = exercise.split(".")
    return int(lesson), int(number)


def name_order(name: str) -> tuple[str, str]:
    """Émile between Emma and Eve, not after Zoë: compared without case and accents, then as typed."""
    letters = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in letters if not unicodedata.combining(c)), name


# A student's row as entries() reads it: plain values, not model instances. The staff socket reads
# the whole room every 5 s in Django's one sync thread (lesson 02), and sixty students' 3,480
# statuses as instances took three times as long, every other student's report waiting behind it.
STUDENT_FIELDS = ("pk", "name", "last_seen", "last_report_at", "message_seen", "doctor", "hand_raised_at")
STATUS_FIELDS = ("student_id", "exercise", "status", "failed_check", "says", "changed_at")


def entries(students: QuerySet, now: datetime) -> list[dict]:
    """Each student's entry: three queries, whatever the room holds. Shares are listed, their code never read."""
    statuses, shared = defaultdict(list), defaultdict(set)
    for row in Status.objects.filter(student__in=students).values_list(*STATUS_FIELDS):
        statuses[row[0]].append(row)
    for student_id, exercise in Share.objects.filter(student__in=students).values_list("student_id", "exercise"):
        shared[student_id].add(exercise)
    return [entry(row, statuses[row["pk"]], shared[row["pk"]], now) for row in students.values(*STUDENT_FIELDS)]


def entry(student: dict, statuses: list[tuple], shared: set[str], now: datetime) -> dict:
    """One student as the instructor sees them, from their row, their statuses (STATUS_FIELDS) and what they shared."""
    return {
        "name": student["name"],
        "online": now - student["last_seen"] <= ACTIVE,
        "last_seen": iso(student["last_seen"]),
        "last_report": iso(student["last_report_at"]),  # the tile's "checked 3 min ago"
        "message_seen": student["message_seen"],  # the newest instructor's message this laptop printed
        "exercises": {
            exercise: {"status": status, "check": check, "says": says, "changed": iso(changed)}
            for _, exercise, status, check, says, changed in sorted(statuses, key=lambda row: exercise_order(row[1]))
        },
        "doctor": kept_doctor(student["doctor"]),  # a verdict saved before frames.py checked each field: None
        "hand": student["hand_raised_at"] is not None,
        "hand_since": iso(student["hand_raised_at"]),
        "shared": sorted(shared, key=exercise_order),
    }


def room() -> dict:
    """room.json's body: the newest workshop and each of its students, by name."""
    workshop = Workshop.objects.order_by("-pk").first()
    if workshop is None:
        return {"workshop": None, "students": []}
    now = timezone.now()
    return {
        "workshop": state(workshop),
        "students": sorted(entries(workshop.students.all(), now), key=lambda entry: name_order(entry["name"])),
    }


def state(workshop: Workshop) -> dict:
    return {
        "open": workshop.closed_at is None,
        "opened": iso(workshop.opened_at),
        "closed": iso(workshop.closed_at),
        "refused_joins": workshop.refused_joins,  # a wrong code, or too many from one address (workshop/join.py)
    }


def newest_state() -> tuple[int, str | None] | None:
    """The newest workshop's id and when it closed: the one row the staff socket looks at every second."""
    return Workshop.objects.order_by("-pk").values_list("pk", "closed_at").first()


def newest_workshop_id() -> int | None:
    return Workshop.objects.order_by("-pk").values_list("pk", flat=True).first()


def student_entry(student_id: int) -> dict | None:
    """One student's entry; None if they are gone (deleted in the admin since their socket logged in)."""
    found = entries(Student.objects.filter(pk=student_id), timezone.now())
    return found[0] if found else None


@database_sync_to_async
def touch(student_id: int) -> dict | None:
    """Move a student's last_seen to now; their entry if that brought them back online, else None."""
    now = timezone.now()
    was_online = Student.objects.filter(pk=student_id, last_seen__gte=now - ACTIVE).exists()
    Student.objects.filter(pk=student_id).update(last_seen=now)
    return None if was_online else student_entry(student_id)


def save_report(student: Student, report: dict, now: datetime) -> None:
    status, created = Status.objects.get_or_create(
        student=student,
        exercise=report["exercise"],
        defaults={
            "status": report["status"],
            "failed_check": report["check"],
            "says": report["says"],
            "changed_at": now,
        },
    )
    # changed_at moves only when the result changes: "failing for 12 minutes" means the same failure.
    if created:
        return
    if (status.status, status.failed_check) != (report["status"], report["check"]):
        status.status, status.failed_check, status.changed_at = report["status"], report["check"], now
    # What the check says may change while the check stays the same (another wrong value): always the latest.
    status.says = report["says"]
    status.save()


def save_doctor(student: Student, verdict: dict, now: datetime) -> None:
    student.doctor = verdict
    student.save(update_fields=["doctor"])


def save_help(student: Student, raised: bool, now: datetime) -> None:
    # Raised again while up, the hand keeps its first time: how long this student has waited.
    if raised != (student.hand_raised_at is not None):
        student.hand_raised_at = now if raised else None
        student.save(update_fields=["hand_raised_at"])


# Shares are bounded: the newest per exercise, and the newest SHARES_KEPT of a student in all
# (each at most 64 KiB, workshop/frames.py): a student who shares in a loop replaces, never piles up.
SHARES_KEPT = 20


def save_share(student: Student, share: dict, now: datetime) -> None:
    Share.objects.filter(student=student, exercise=share["exercise"]).delete()
    Share.objects.create(student=student, **share)
    older = Share.objects.filter(student=student).order_by("-pk").values_list("pk", flat=True)[SHARES_KEPT:]
    Share.objects.filter(pk__in=list(older)).delete()


def save_seen(student: Student, message_id: int, now: datetime) -> None:
    """The laptop printed the instructor's messages up to `message_id`: never back, never past the newest."""
    newest = Message.objects.filter(workshop_id=student.workshop_id).aggregate(last=Max("pk"))["last"] or 0
    if student.message_seen < min(message_id, newest):
        student.message_seen = min(message_id, newest)
        student.save(update_fields=["message_seen"])


SAVE = {"report": save_report, "doctor": save_doctor, "help": save_help, "share": save_share, "seen": save_seen}


@database_sync_to_async
def record(student_id: int, kind: str, value: object) -> dict | None:
    """Save one accepted frame of a student (kind: report, doctor, help, share or seen); their new entry, or None if gone."""
    now = timezone.now()
    with transaction.atomic():
        # select_for_update: on PostgreSQL two frames of one student (two sockets) take turns
        # here; SQLite has one writer at a time anyway.
        student = Student.objects.select_for_update().filter(pk=student_id).first()
        if student is None:
            return None
        SAVE[kind](student, value, now)
        moved = {"last_seen": now} | ({"last_report_at": now} if kind == "report" else {})
        Student.objects.filter(pk=student_id).update(**moved)
    return student_entry(student_id)


def remove(student: Student) -> None:
    """`workshop leave` (workshop/leave.py): the student and their rows deleted, so their token names no one."""
    student.delete()
    tell_staff_now(student.workshop_id, {"type": "room.left", "name": student.name})  # the page takes them off at once


def tell_staff_now(workshop_id: int, event: dict) -> None:
    """group_send to the workshop's staff sockets from sync code (a view, a command: lesson 06).

    The page hears it at once; if the layer cannot take it, the next refresh shows the change anyway.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(staff_group(workshop_id), event)
    except (RedisError, OSError) as error:
        logger.warning("workshop: the staff page will see this at its next refresh, not now: %r", error)


@database_sync_to_async
def arrival(token: str, since: int | None) -> tuple[Student, int, list[dict]] | None:
    """A student socket's login, in one trip to Django's sync thread: the student the token names, if their
    workshop is the newest and open, its newest message id, and the messages after `since`; else None."""
    student = student_named_by(token)
    if student is None:
        return None
    return student, *messages_after.func(student.workshop_id, since)


@database_sync_to_async
def has_ended(workshop_id: int) -> bool:
    """Whether this workshop is over: closed, or no longer the newest (`workshop open` started another)."""
    newest = newest_state()
    return newest is None or newest[0] != workshop_id or newest[1] is not None


@database_sync_to_async
def messages_after(workshop_id: int, since: int | None) -> tuple[int, list[dict]]:
    """The workshop's newest message id (0 for none), and, if `since` is given, every message after it, oldest first."""
    messages = Message.objects.filter(workshop_id=workshop_id)
    last = messages.aggregate(last=Max("pk"))["last"] or 0
    return last, [] if since is None else [message_frame(m) for m in messages.filter(pk__gt=since).order_by("pk")]


def message_frame(message: Message) -> dict:
    """A message as a student socket sends it, inside {"instructor": ...}."""
    return {"id": message.pk, "text": message.text, "sent": iso(message.sent_at)}


@database_sync_to_async
def save_message(text: str) -> tuple[int, dict] | None:
    """Save an instructor's message in the newest workshop: (its workshop id, its frame); None with no workshop."""
    workshop_id = newest_workshop_id()
    if workshop_id is None:
        return None
    return workshop_id, message_frame(Message.objects.create(workshop_id=workshop_id, text=text))


def recent_messages(workshop_id: int | None) -> list[dict]:
    """The workshop's newest MESSAGES_SHOWN messages, oldest first: the page counts who has seen each."""
    if workshop_id is None:
        return []
    newest = Message.objects.filter(workshop_id=workshop_id).order_by("-pk")[:MESSAGES_SHOWN]
    return [message_frame(message) for message in reversed(newest)]


@database_sync_to_async
def remove_named(name: str) -> bool:
    """The instructor takes a student of the newest workshop off the page, as `workshop leave` would; False if none."""
    student = Student.objects.filter(workshop_id=newest_workshop_id(), name=name).first()
    if student is None:
        return False
    remove(student)  # their rows and their token end with them; every staff page hears {"left": name}
    return True


@database_sync_to_async
def clear_status(name: str, exercise: str) -> dict | None:
    """The instructor clears one status of a student of the newest workshop: their entry without it; None if none."""
    statuses = Status.objects.filter(student__workshop_id=newest_workshop_id(), student__name=name, exercise=exercise)
    status = statuses.first()
    if status is None:
        return None
    status.delete()
    return student_entry(status.student_id)
