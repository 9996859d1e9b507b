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
    """A route a lesson page can try: a WebSocket, a server-sent event stream or a plain HTTP request."""

    path: str  # a concrete path to try, e.g. "ws/chat/lobby/"
    summary: str
    sample: str = "hello"  # what the page's message box starts with (an HTTP route's request body)
    kind: str = "ws"  # "ws": WebSocket; "sse": EventSource (text/event-stream); "http": one fetch()
    method: str = "GET"  # for "http" routes

    @property
    def label(self) -> str:
        """How `manage.py lessons` lists it: a WebSocket by its path, HTTP with its method."""
        if self.kind == "ws":
            return self.path
        return f"{self.method} /{self.path}" + (" (server-sent events)" if self.kind == "sse" else "")


@dataclass(frozen=True)
class Lesson:
    number: str
    slug: str
    title: str
    app: str
    routes: tuple[Route, ...] = field(default=())
    # Fast test files besides test_path, for a lesson with two concepts (lesson 10: HTTP, then SSE).
    more_tests: tuple[str, ...] = field(default=())

    @property
    def text_path(self) -> Path:
        return LESSONS_DIR / f"{self.number}-{self.slug}.md"

    @property
    def test_path(self) -> str:
        return f"tests/test_{self.number}_{self.slug.replace('-', '_')}.py"

    @property
    def test_paths(self) -> tuple[str, ...]:
        """The lesson's fast test files: what `pytest` runs for it (its *_slow.py files are listed in files)."""
        return (self.test_path, *self.more_tests)

    @property
    def test_command(self) -> str:
        return "pytest " + " ".join(self.test_paths)

    @property
    def page_url(self) -> str:
        return f"/lessons/{self.number}/"

    @property
    def files(self) -> tuple[str, ...]:
        """The files this lesson teaches, in reading order: its code first, then its tests."""
        return LESSON_FILES.get(self.number, ())


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
                "ws/sync/slow/",
                'blocks the one sync thread for the seconds (0-3) you send (time.sleep), then replies {"slept": S}; '
                "an async echo on another socket waits too (lesson 02)",
                "2",
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
            Route(
                "ws/async/hop-free-echo/",
                "the echo with a dispatch that skips the sync-thread hop: it answers while ws/sync/slow/ blocks "
                "(DB-free consumers only)",
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
            Route(
                "ws/layers/plain-chat/lobby/",
                "lesson 04's plain chat room (raw AsyncConsumer): every socket in the room receives each message",
                CHAT_SAMPLE,
            ),
            Route(
                "ws/layers/generic-chat/lobby/",
                "the same room on AsyncWebsocketConsumer, the Channels docs' shape; it shares the room",
                CHAT_SAMPLE,
            ),
            Route("ws/chat/lobby/", "the same room, hardened in lesson 05 (flood limit, 4503)", CHAT_SAMPLE),
            Route(
                "ws/layers/direct/",
                'tells you your "address" (channel name, signed); send {"to": <an address>, "message": ...}',
                '{"to": "paste an address here", "message": "psst"}',
            ),
        ),
        more_tests=("tests/test_04_direct_and_groups.py",),
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
        more_tests=("tests/test_05_hardened_chat.py", "tests/test_05_sharding.py"),
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
        more_tests=("tests/test_07_socket_login.py",),
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
        more_tests=("tests/test_08_liveblog.py",),
    ),
    Lesson("09", "testing", "Testing consumers", "tests", more_tests=("tests/test_09_pitfalls.py",)),
    Lesson(
        "10",
        "http-consumers",
        "HTTP consumers: long-poll and server-sent events",
        "http_demo, db_demo",
        (
            Route(
                "liveblog/events/",
                "server-sent events: every Post saved and committed is an event with its id; "
                "EventSource reconnects by itself and sends Last-Event-ID to get what it missed",
                "",
                kind="sse",
            ),
            Route("ws/liveblog/", 'the WebSocket twin: the same posts as {"post": {...}} frames', ""),
            Route(
                "http/ticker/?interval=1",
                "server-sent events from a raw AsyncConsumer: a tick event every interval seconds (0.05-60)",
                "",
                kind="sse",
            ),
            Route(
                "http/poll/?timeout=25",
                "long-poll: waits for the next message POSTed to /http/publish/; 200 with it, or 204 after the timeout",
                "",
                kind="http",
            ),
            Route(
                "http/publish/",
                "AsyncHttpConsumer: POST a text body (1-4096 characters); every waiting poll gets it",
                "hello, pollers",
                kind="http",
                method="POST",
            ),
            Route(
                "http/raw/",
                "raw AsyncConsumer: answers with the method, path, body parts and bytes it received; "
                "a body over 64 KiB gets 413",
                "any body at all",
                kind="http",
                method="POST",
            ),
        ),
        more_tests=("tests/test_10_long_poll.py", "tests/test_10_server_sent_events.py"),
    ),
    Lesson(
        "11",
        "middleware-and-tokens",
        "Middleware and tokens for clients without cookies",
        "auth_demo",
        (
            Route(
                "ws/auth/token/",
                'the first frame must be {"token": ...} from `python manage.py issue_token <username>`: '
                'a valid one gets {"username": ...}; anything else, or 10 s of silence, closes 4401',
                '{"token": "paste the token issue_token printed"}',
            ),
            Route(
                "ws/auth/token-query/?token=",
                'QueryStringTokenAuthMiddleware: the token after ?token= decides scope["user"]; '
                '{"username": ...}, or 4401. It works, and uvicorn and nginx write the URL, token and all, in their access logs',
            ),
            Route(
                "ws/auth/token-protocol/",
                'SubprotocolTokenAuthMiddleware: the token as the subprotocol after "bearer"; the server answers '
                '"bearer". The page\'s buttons below send it (a message box cannot)',
            ),
        ),
        more_tests=("tests/test_11_middleware.py",),
    ),
    Lesson(
        "12",
        "delivery",
        "Delivery: at-most-once, replay by id, a client that misses nothing",
        "db_demo",
        (
            Route(
                "ws/liveblog/?since=0",
                "replay by id: every saved post with an id above since (the 100 newest), oldest first, then the live "
                "ones; tick reconnect, stop and restart the server: the page asks for since=<last id> and shows each "
                "post once",
                "",
            ),
            Route(
                "liveblog/events/",
                "the server-sent events twin (lesson 10): EventSource sends Last-Event-ID by itself",
                "",
                kind="sse",
            ),
        ),
    ),
    Lesson("13", "deployment", "Deployment: nginx, several Daphnes, a process killed mid-chat", "lessons, deploy"),
)


def get_lesson(number: str) -> Lesson | None:
    """The lesson numbered `number` ("00", "01", ...), or None."""
    return next((lesson for lesson in LESSONS if lesson.number == number), None)


# Each lesson's files, by lesson number: where a student finds the code a lesson
# explains. `manage.py lessons`, the index and the lesson pages list them, and
# tests/test_layout.py checks that every one exists.
LESSON_FILES: dict[str, tuple[str, ...]] = {
    "00": (
        "lessons/settings.py",
        "lessons/asgi.py",
        "lessons/routing.py",
        "lessons/consumers.py",
        "lessons/management/commands/doctor.py",
        "tests/test_00_setup.py",
        "tests/test_00_setup_slow.py",
    ),
    "01": ("sync_demo/consumers.py", "sync_demo/slow.py", "sync_demo/routing.py", "tests/test_01_sync_consumer.py"),
    "02": (
        "async_demo/consumers.py",
        "async_demo/slow.py",
        "async_demo/hop_free.py",
        "async_demo/routing.py",
        "tests/test_02_async_consumer.py",
    ),
    "03": ("sync_demo/generic_consumers.py", "async_demo/generic_consumers.py", "tests/test_03_generic_consumers.py"),
    "04": (
        "layers_demo/plain_chat.py",
        "layers_demo/generic_chat.py",
        "layers_demo/validation.py",
        "layers_demo/direct.py",
        "layers_demo/routing.py",
        "layers_demo/hardened_chat.py",
        "tests/test_04_channel_layers.py",
        "tests/test_04_direct_and_groups.py",
        "tests/test_04_channel_layers_slow.py",
    ),
    "05": (
        "lessons/channel_config.py",
        "layers_demo/hardened_chat.py",
        "layers_demo/flood.py",
        "layers_demo/membership.py",
        "tests/test_05_redis_layer.py",
        "tests/test_05_hardened_chat.py",
        "tests/test_05_sharding.py",
        "tests/test_05_redis_layer_slow.py",
        "tests/test_05_sharding_slow.py",
    ),
    "06": (
        "layers_demo/announce.py",
        "layers_demo/management/commands/announce.py",
        "layers_demo/views.py",
        "layers_demo/hardened_chat.py",
        "layers_demo/primes.py",
        "tests/test_06_outside_the_consumer.py",
    ),
    "07": (
        "auth_demo/consumers.py",
        "auth_demo/socket_login.py",
        "auth_demo/views.py",
        "auth_demo/whoami_client.py",
        "auth_demo/routing.py",
        "tests/test_07_authentication.py",
        "tests/test_07_socket_login.py",
        "tests/test_07_authentication_slow.py",
    ),
    "08": (
        "db_demo/models.py",
        "db_demo/history.py",
        "db_demo/consumers.py",
        "db_demo/validation.py",
        "db_demo/flood.py",
        "db_demo/signals.py",
        "db_demo/liveblog.py",
        "db_demo/management/commands/post.py",
        "tests/test_08_database.py",
        "tests/test_08_liveblog.py",
        "tests/test_08_database_slow.py",
    ),
    "09": (
        "tests/conftest.py",
        "tests/helpers/tiny_consumers.py",
        "tests/helpers/channels_live_case.py",
        "tests/test_09_testing.py",
        "tests/test_09_pitfalls.py",
        "tests/test_09_testing_slow.py",
    ),
    "10": (
        "http_demo/consumers.py",
        "http_demo/generic_consumers.py",
        "http_demo/longpoll.py",
        "http_demo/ticker.py",
        "http_demo/routing.py",
        "db_demo/events.py",
        "db_demo/liveblog.py",
        "tests/test_10_http_consumers.py",
        "tests/test_10_long_poll.py",
        "tests/test_10_server_sent_events.py",
        "tests/test_10_http_consumers_slow.py",
    ),
    "11": (
        "auth_demo/tokens.py",
        "auth_demo/token_login.py",
        "auth_demo/management/commands/issue_token.py",
        "auth_demo/middleware.py",
        "auth_demo/consumers.py",
        "auth_demo/token_protocol.py",
        "auth_demo/routing.py",
        "auth_demo/views.py",
        "auth_demo/token_client.py",
        "lessons/templates/lessons/extras/11.html",
        "tests/test_11_middleware_and_tokens.py",
        "tests/test_11_middleware.py",
        "tests/test_11_middleware_and_tokens_slow.py",
    ),
    "12": (
        "db_demo/liveblog.py",
        "db_demo/events.py",
        "lessons/static/lessons/client.js",
        "tests/test_12_delivery.py",
        "tests/test_12_delivery_slow.py",
    ),
    "13": (
        "deploy/nginx.conf",
        "deploy/channels-lessons-daphne@.service",
        "deploy/channels-lessons-worker.service",
        "deploy/env.example",
        "lessons/settings_production.py",
        "tests/test_13_deployment.py",
        "tests/test_13_deployment_slow.py",
        "tests/test_13_crash_slow.py",
        "tests/test_13_servers_slow.py",
    ),
}
