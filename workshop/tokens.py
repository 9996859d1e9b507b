"""A student's token: who this laptop is in which workshop (lesson 11's signed token, lesson 17).

POST /workshop/join/ hands one out; the student's socket sends it in its first
frame (ws/workshop/student/). It is the student's primary key and the
workshop's, signed with SECRET_KEY under a salt of its own, so no other value
this site signs can pass for one. It has no expiry of its own: it ends with the
workshop it names (`workshop close`, or `workshop open` making a newer one) and
with the student (`workshop leave` deletes them: workshop/leave.py). Whoever
holds the token is that student, so it travels in a frame or a body, never in
a URL an access log writes down.
"""

from channels.db import database_sync_to_async
from django.core import signing

from workshop.models import Student, Workshop

SALT = "workshop.student"


def issue_token(student: Student) -> str:
    """The token that makes its holder `student`, until their workshop closes or they leave."""
    return signing.dumps({"student": student.pk, "workshop": student.workshop_id}, salt=SALT)


def claim_in(token: object) -> tuple[int, int] | None:
    """(student id, workshop id) from a token this site signed; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > 1000:
        return None
    try:
        data = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    ids = data.get("student"), data.get("workshop")
    return ids if all(type(each) is int for each in ids) else None  # type(): True is not a student


def student_named_by(token: object) -> Student | None:
    """The student a token names, if their workshop is the newest one and still open; else None.

    Every door a token opens asks this, the socket's first frame and POST /workshop/leave/ alike:
    a token of a workshop that has ended opens nothing.
    """
    claim = claim_in(token)
    if claim is None:
        return None
    student_id, workshop_id = claim
    newest = Workshop.objects.order_by("-pk").values_list("pk", "closed_at").first()
    if newest is None or newest[0] != workshop_id or newest[1] is not None:
        return None  # from an older workshop, or one closed: the room has moved on
    return Student.objects.filter(pk=student_id, workshop_id=workshop_id).first()


# The student socket's way in: the same question from async code, in Django's sync thread (lesson 08).
student_for_token = database_sync_to_async(student_named_by)
