"""Lesson 17's workshop room under test: a workshop opened, students joined, their sockets, its requests.

Plain functions, no fixtures: each test says what room it starts from. staff_socket() is the
instructor's page, view_of() reads a view of the room from its pieces, and next_frame_with()
waits for the frame a test is about.
"""

import json
import secrets
import time

from channels.testing import WebsocketCommunicator

from harness.patience import CONDITION, FRAME
from lessons.asgi import application
from tests.helpers.clients import ORIGIN
from workshop.models import Student, Workshop
from workshop.tokens import issue_token

CODE = "K7Q2M9XA"


def open_workshop(code: str = CODE) -> Workshop:
    """A new open workshop with this join code (closing none: tests say what else exists)."""
    return Workshop.objects.create(code=code)


def enrol(workshop: Workshop, name: str) -> tuple[Student, str]:
    """A student in `workshop` as POST /workshop/join/ admits one, and their token."""
    from django.utils import timezone

    student = Student.objects.create(workshop=workshop, name=name, last_seen=timezone.now())
    return student, issue_token(student)


def a_room(*names: str) -> tuple[Workshop, list[str]]:
    """An open workshop with these students; their tokens, in the same order."""
    workshop = open_workshop()
    return workshop, [enrol(workshop, name)[1] for name in names]


def post_join(client, body: object, address: str | None = None):
    """POST /workshop/join/ with `body` as JSON (bytes as they are), from `address` (a fresh one unless given)."""
    data = body if isinstance(body, bytes) else json.dumps(body)
    if address is None:  # each test its own address, so no test spends another's join attempts
        n = secrets.randbits(24)
        address = f"10.{n >> 16}.{n >> 8 & 255}.{n & 255}"
    return client.post("/workshop/join/", data, content_type="application/json", REMOTE_ADDR=address)


def post_leave(client, body: object):
    """POST /workshop/leave/ with `body` as JSON, as `workshop leave` posts {"token": ...}."""
    return client.post("/workshop/leave/", json.dumps(body), content_type="application/json")


async def student_socket(token: str | None = None, since: int | None = None) -> WebsocketCommunicator:
    """ws/workshop/student/ through the root router; with a token, its first frame sent and `joined` read."""
    communicator = WebsocketCommunicator(application, "/ws/workshop/student/", headers=ORIGIN)
    connected, _ = await communicator.connect(FRAME)
    assert connected
    if token is not None:
        await communicator.send_json_to({"token": token} | ({} if since is None else {"since": since}))
        answer = await communicator.receive_json_from(FRAME)
        assert "joined" in answer, answer
    return communicator


async def answer_to(communicator: WebsocketCommunicator, frame: object) -> dict:
    """Send one JSON frame, return the JSON frame that answers it."""
    await communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))
    return await communicator.receive_json_from(FRAME)


async def staff_socket(session_key: str | None) -> WebsocketCommunicator:
    """ws/workshop/room/ through the root router with this session's cookie (None: anonymous), connected."""
    cookie = [(b"cookie", f"sessionid={session_key}".encode())] if session_key else []
    communicator = WebsocketCommunicator(application, "/ws/workshop/room/", headers=ORIGIN + cookie)
    assert (await communicator.connect(FRAME))[0]
    return communicator


async def staff_view(session_key: str) -> tuple[WebsocketCommunicator, dict]:
    """A staff socket and its first view, read whole (view_of())."""
    communicator = await staff_socket(session_key)
    return communicator, await view_of(communicator)


async def view_of(communicator: WebsocketCommunicator, texts: list[str] | None = None) -> dict:
    """The next view the staff socket sends, its pieces put together: the view's head, and "students" as room.json's.

    Each frame's text goes into `texts`, if given: a test may measure them.
    """

    async def frame() -> dict:
        text = await communicator.receive_from(FRAME)
        if texts is not None:
            texts.append(text)
        return json.loads(text)

    give_up = time.monotonic() + CONDITION  # a liveness bound: other frames may come first, never for ever
    while "view" not in (head := await frame()):
        assert time.monotonic() < give_up, f"no view within {CONDITION} s; the last frame: {head}"
    view, students = head["view"], []
    while True:
        piece = (await frame())["piece"]
        for entry in piece["students"]:
            merged(students, entry)
        if piece["last"]:
            return view | {"students": students}


def merged(students: list[dict], entry: dict) -> None:
    """Put an entry in the list as the page does: a part's exercises go to the entry just before it, of its name."""
    if entry.get("part"):
        assert students and students[-1]["name"] == entry["name"], "a part that follows no entry of its name"
        students[-1]["exercises"].update(entry["exercises"])
    else:
        students.append(entry)


async def next_frame_with(communicator: WebsocketCommunicator, key: str) -> dict:
    """The next JSON frame holding `key` (others on the way, such as a refresh's changes, are skipped)."""
    give_up = time.monotonic() + CONDITION
    while key not in (frame := await communicator.receive_json_from(FRAME)):
        assert time.monotonic() < give_up, f"no frame with {key!r} within {CONDITION} s; the last: {frame}"
    return frame
