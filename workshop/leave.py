"""Lesson 17: POST /workshop/leave/, where `python manage.py workshop leave` ends a student's token.

The laptop posts {"token": "<its token>"}; the student the token names is
deleted with everything they reported, so the token names no one any more: a
socket that sends it is closed 4401, and the name is free again. The staff
page hears {"left": "<name>"} at once and takes them off (room.remove()). A
token is the student's whole credential (lesson 11), so leaving must end it on
the server: forgetting it on the laptop alone would leave it good for anyone
who copied it.

    200 {"left": "<name>"}      401 not a token of a student of the open workshop
    400 not JSON with a token   405 any method but POST
"""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from workshop import room
from workshop.tokens import student_named_by


# No CSRF token, as for the join: this view reads no cookie, and the token in the body is the credential.
@csrf_exempt
@require_POST
def leave(request):
    """POST /workshop/leave/: the student this token names leaves the room, and the token ends."""
    try:
        data = json.loads(request.body) if len(request.body) <= 4096 else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("token"), str):
        return JsonResponse({"error": 'expected a JSON object like {"token": "<your token>"}'}, status=400)
    student = student_named_by(data["token"])  # a token of a closed or older workshop names no one
    if student is None:
        return JsonResponse({"error": "this token names no one in the room"}, status=401)
    room.remove(student)
    return JsonResponse({"left": student.name})
