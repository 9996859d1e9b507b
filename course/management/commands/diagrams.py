"""`python manage.py diagrams`: draw each lesson's core flow from a real run.

Each lesson 01-08 has a flow below: communicators drive the course's own ASGI
application with the inspector on (course/inspector.py), over the in-memory
layer, and the recorded events become a Mermaid `sequenceDiagram` written into
the lesson text between the two diagram markers (GitHub draws it; the lesson
page draws it with course/sequence.py). tests/course/test_diagrams.py fails when a
consumer's events change, until this command has been run again. `--check`
only compares.
"""

import asyncio
import re
import secrets

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from course.catalogue import get_lesson
from course.inspector import LANES, STORE, recording_layers
from layers_demo.announce import announce as announce_to_room
from lessons.channel_config import IN_MEMORY

ORIGIN = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
BEGIN = "<!-- diagram: drawn by `python manage.py diagrams` from a real run; do not edit by hand -->"
END = "<!-- diagram: end -->"
BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
NAMES = {"browser": "browser", "daphne": "Daphne", "middleware": "middleware", "layer": "channel layer"}


async def socket(app, page: str, path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app, f"{path}{'&' if '?' in path else '?'}inspect={page}", headers=ORIGIN)
    await communicator.connect()
    return communicator


async def echo(app, page):
    communicator = await socket(app, page, "/ws/sync/echo/")
    await communicator.send_to(text_data="hello")
    await communicator.receive_from()
    await communicator.disconnect()


async def ticker(app, page):
    communicator = await socket(app, page, "/ws/async/ticker/?interval=0.2")
    await communicator.receive_from()
    await communicator.disconnect()


async def json_echo(app, page):
    communicator = await socket(app, page, "/ws/async/json-echo/")
    await communicator.send_json_to({"hello": "world"})
    await communicator.receive_from()
    await communicator.send_to(text_data="not json")
    await communicator.receive_from()
    await communicator.disconnect()


async def chat(app, page):
    communicator = await socket(app, page, "/ws/layers/plain-chat/lobby/")
    await communicator.send_json_to({"message": "hello"})
    await communicator.receive_from()
    await communicator.disconnect()


async def chat_bad_frame(app, page):
    communicator = await socket(app, page, "/ws/chat/lobby/")
    await communicator.send_json_to({"message": ""})
    await communicator.receive_from()
    await communicator.disconnect()


async def announce(app, page):
    communicator = await socket(app, page, "/ws/chat/lobby/")
    # What `manage.py announce lobby hello` does, from outside any consumer.
    await sync_to_async(announce_to_room)("lobby", "hello")
    await communicator.receive_from()
    await communicator.disconnect()


async def whoami_anonymous(app, page):
    communicator = await socket(app, page, "/ws/auth/whoami/")
    await communicator.receive_output()  # the websocket.close
    await communicator.disconnect(code=4401)  # what Daphne reports once the close handshake is done


async def room_history(app, page):
    communicator = await socket(app, page, "/ws/db/room/lobby/")
    await communicator.receive_from()
    await communicator.disconnect()


FLOWS = {
    "01": (echo, "ws/sync/echo/: one text frame echoed, then the browser closes"),
    "02": (ticker, "ws/async/ticker/?interval=0.2: a push with no client input, then the browser leaves"),
    "03": (json_echo, "ws/async/json-echo/: a JSON frame echoed, malformed JSON answered with an error"),
    "04": (chat, "ws/layers/plain-chat/lobby/: one socket says hello to its room (itself included)"),
    "05": (chat_bad_frame, "ws/chat/lobby/: a bad frame is answered to its sender only"),
    "06": (announce, "ws/chat/lobby/: a group_send from outside any consumer (manage.py announce) reaches the socket"),
    "07": (whoami_anonymous, "ws/auth/whoami/ without a session: the middleware finds no user, the consumer refuses"),
    "08": (room_history, "ws/db/room/lobby/: the history frame, read from the database first"),
}


def mermaid(events: list[dict], caption: str) -> str:
    """A Mermaid sequenceDiagram of recorded events: no times, no channel names, so it is the same every run."""
    consumer = next((e["consumer"] for e in events if e["consumer"]), "consumer")
    names = {**NAMES, "consumer": consumer}
    used = [lane for lane in LANES if any(lane in (e["from"], e["to"]) for e in events)]
    lines = [f"%% {caption}", "sequenceDiagram"]
    lines += [f"    participant {lane} as {names[lane]}" for lane in used]
    for event in events:
        label = re.sub(r"specific\.[^'\s]*", "<channel name>", event["label"]).replace(";", ",").replace("#", "")
        if event["from"] == event["to"]:
            lines.append(f"    Note over {event['from']}: {label}")
        else:
            lines.append(f"    {event['from']}->>{event['to']}: {label}")
    return "\n".join(lines)


def draw(number: str) -> str:
    """Run one lesson's flow with the inspector on and return its diagram block, markers included."""
    from course.inspector import inspected
    from lessons.asgi import application

    flow, caption = FLOWS[number]
    page = secrets.token_urlsafe(16)
    with override_settings(CHANNEL_LAYERS=recording_layers(IN_MEMORY), INSPECTOR_ENABLED=True):
        asyncio.run(flow(inspected(application), page))
    return f"{BEGIN}\n\n```mermaid\n{mermaid(STORE.events(page), caption)}\n```\n\n{END}"


def current(number: str) -> str | None:
    """The diagram block the lesson text holds now (None: no markers yet)."""
    found = BLOCK.search(get_lesson(number).text_path.read_text(encoding="utf-8"))
    return found and found.group(0)


class Command(BaseCommand):
    help = "Run each lesson's core flow with the inspector on and write its sequence diagram into the lesson text."

    def add_arguments(self, parser):
        parser.add_argument("lessons", nargs="*", default=sorted(FLOWS), help="lesson numbers (default: 01 to 08)")
        parser.add_argument("--check", action="store_true", help="only say which diagrams are out of date")

    def handle(self, *args, lessons, check, **options):
        stale = []
        for number in lessons:
            if number not in FLOWS:
                raise CommandError(f"no diagram flow for lesson {number!r}; there are {', '.join(sorted(FLOWS))}")
            block, path = draw(number), get_lesson(number).text_path
            if current(number) == block:
                self.stdout.write(f"{number}  up to date   {path.name}")
                continue
            stale.append(number)
            if not check:
                text = path.read_text(encoding="utf-8")
                # First run: the diagram goes in just before the lesson's "Try it" section.
                old = current(number)
                text = text.replace(old, block) if old else text.replace("\n## Try it", f"\n{block}\n\n## Try it", 1)
                path.write_text(text, encoding="utf-8")
            self.stdout.write(f"{number}  {'out of date' if check else 'written    '}  {path.name}")
        if check and stale:
            raise CommandError(f"run `python manage.py diagrams {' '.join(stale)}`: their consumers' events changed")
