"""The lesson catalogue: the one list of lessons that everything else reads.

The index page, the lesson pages, `python manage.py lessons`, the doctor and
the tests all take lessons from LESSONS, so a lesson is added in one place.
"""

from dataclasses import dataclass, field
from pathlib import Path

LESSONS_DIR = Path(__file__).resolve().parent
REPO_DIR = LESSONS_DIR.parent


@dataclass(frozen=True)
class Route:
    """A WebSocket route a lesson page can connect to."""

    path: str  # a concrete path to try, e.g. "ws/chat/lobby/"
    summary: str
    sample: str = "hello"  # what the page's message box starts with


@dataclass(frozen=True)
class Lesson:
    number: str
    slug: str
    title: str
    app: str
    routes: tuple[Route, ...] = field(default=())

    @property
    def text_path(self) -> Path:
        return LESSONS_DIR / f"{self.number}-{self.slug}.md"

    @property
    def test_path(self) -> str:
        return f"tests/test_{self.number}_{self.slug.replace('-', '_')}.py"

    @property
    def test_command(self) -> str:
        return f"pytest {self.test_path}"

    @property
    def page_url(self) -> str:
        return f"/lessons/{self.number}/"


ECHO_SAMPLE = "hello"
CHAT_SAMPLE = '{"message": "hello, room"}'

LESSONS: tuple[Lesson, ...] = (
    Lesson("00", "setup", "Setup: ASGI, Daphne and the root router", "lessons"),
    Lesson(
        "01",
        "sync-consumer",
        "The raw SyncConsumer",
        "sync_demo",
        (
            Route("ws/sync/echo/", "raw SyncConsumer: every text or binary frame comes back unchanged"),
            Route(
                "ws/sync/refuse/", "answers websocket.connect with websocket.close: the handshake is refused (HTTP 403)"
            ),
            Route(
                "ws/sync/close/",
                "accepts; your first frame (text or binary) gets a goodbye frame, then the server closes with code 4000",
            ),
            Route(
                "ws/sync/scope/demo/?colour=blue",
                "accepts and sends what this connection's scope holds (path, query string, headers, url_route) "
                "and its consumer instance number; again for every frame you send",
            ),
        ),
    ),
    Lesson(
        "02",
        "async-consumer",
        "The raw AsyncConsumer and server push",
        "async_demo",
        (
            Route("ws/async/echo/", "raw AsyncConsumer: every text or binary frame comes back unchanged"),
            Route(
                "ws/async/ticker/?interval=1",
                'pushes {"tick": n} every interval seconds (0.05-60), no client input needed; a bad interval closes 4400',
                "",
            ),
            Route(
                "ws/async/slow/",
                'waits (asyncio.sleep) the seconds (0-10) you send, then replies {"slept": S}; other sockets are not held up',
                "2",
            ),
        ),
    ),
    Lesson(
        "03",
        "generic-consumers",
        "Generic consumers: what WebsocketConsumer and friends wrap",
        "sync_demo, async_demo",
        (
            Route("ws/sync/generic-echo/", "WebsocketConsumer: the lesson 01 echo as two short methods"),
            Route(
                "ws/async/json-echo/",
                'AsyncJsonWebsocketConsumer: JSON V comes back as {"echo": V}; bad JSON or bytes get {"error": ...}',
                '{"hello": "json"}',
            ),
        ),
    ),
    Lesson(
        "04",
        "channel-layers",
        "Channel layers, channel names and groups: chat rooms",
        "layers_demo",
        (
            Route("ws/chat/lobby/", "a chat room: every socket in the room receives each message", CHAT_SAMPLE),
            Route(
                "ws/layers/direct/",
                'tells you your "address" (channel name, signed); send {"to": <an address>, "message": ...}',
                '{"to": "paste an address here", "message": "psst"}',
            ),
        ),
    ),
    Lesson(
        "05",
        "redis-layer",
        "The Redis channel layer: several server processes, one room",
        "layers_demo",
        (
            Route(
                "ws/chat/lobby/", "the same chat room; run two servers on Redis and watch a message cross", CHAT_SAMPLE
            ),
        ),
    ),
    Lesson(
        "06",
        "outside-the-consumer",
        "Sending from outside a consumer: commands, views and workers",
        "layers_demo",
        (
            Route("ws/chat/lobby/", "a chat room to watch announcements arrive in", CHAT_SAMPLE),
            Route(
                "ws/layers/primes/",
                'send {"below": N}: a worker (`runworker layers-primes`, on Redis) counts the primes and answers',
                '{"below": 1000000}',
            ),
        ),
    ),
    Lesson(
        "07",
        "authentication",
        "Authentication: sessions, scope['user'] and origin checks",
        "auth_demo",
        (
            Route(
                "ws/auth/whoami/",
                'a logged-in user receives {"username": ...}; an anonymous one is closed with 4401',
                "",
            ),
            Route(
                "ws/auth/login/",
                'log this socket in or out with channels\' login()/logout(): {"action": "login"|"logout"|"whoami"}; '
                "a login answers with a handoff token this browser can redeem over HTTP",
                '{"action": "login", "username": "ada", "password": "analytical-engine"}',
            ),
        ),
    ),
    Lesson(
        "08",
        "database",
        "The database from async code: history and the liveblog",
        "db_demo",
        (
            Route(
                "ws/db/room/lobby/",
                'a chat room with memory: the first frame is {"history": [...]}, each message is saved, then sent',
                CHAT_SAMPLE,
            ),
            Route(
                "ws/liveblog/",
                'listens only: every Post saved and committed (admin, shell, manage.py post) arrives as {"post": {...}}',
                "",
            ),
        ),
    ),
    Lesson("09", "testing", "Testing consumers", "tests"),
)


def get_lesson(number: str) -> Lesson | None:
    """The lesson numbered `number` ("00".."09"), or None."""
    return next((lesson for lesson in LESSONS if lesson.number == number), None)
