"""The lesson catalogue: each lesson described once, in LESSONS.

The index page, the lesson pages, `python manage.py lessons`, the doctor and
the tests all read a lesson from here: its title, app, routes, files and test
command, and its exercises (from the exercise kit's registry), so a lesson is
added in one place. Every field goes by keyword.
"""

from dataclasses import dataclass
from pathlib import Path

from course.kit.registry import EXERCISES, Exercise

REPO_DIR = Path(__file__).resolve().parent.parent
TEXTS_DIR = REPO_DIR / "lessons"  # the lesson texts, NN-slug.md, beside lesson 00's code
# `make test-fast`'s marker expression: every test but those that drive a browser or start processes.
FAST_TESTS = "not browser and not slow"


@dataclass(frozen=True, kw_only=True)
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


# What a lesson's code lives in: the project package, the demo apps, and three folders.
# fmt: off
APPS = (
    "lessons", "sync_demo", "async_demo", "layers_demo", "auth_demo", "db_demo", "http_demo", "workshop",
    "tests", "bench", "deploy",
)
# fmt: on


@dataclass(frozen=True, kw_only=True)
class Lesson:
    number: str
    slug: str
    title: str
    apps: tuple[str, ...]  # from APPS, the lesson's main one first
    # The files this lesson teaches, in reading order: its code first, then its tests.
    # `manage.py lessons`, the index and the lesson pages list them; tests/course/test_layout.py
    # checks that each exists and that each route's consumer is among them.
    files: tuple[str, ...]
    routes: tuple[Route, ...] = ()
    # Fast test files besides test_path (lesson 04: the chat, then direct sends and groups). A lesson with
    # more than three test files keeps them in a folder of its own, tests/test_NN/, found by test_folder.
    more_tests: tuple[str, ...] = ()

    def __post_init__(self):
        unknown = [app for app in self.apps if app not in APPS]
        if not self.apps or unknown:
            raise ValueError(f"lesson {self.number}: apps must come from {APPS}, not {unknown or 'none'}")

    @property
    def app(self) -> str:
        """How the index, the lesson page and `manage.py lessons` name its apps."""
        return ", ".join(self.apps)

    @property
    def text_path(self) -> Path:
        return TEXTS_DIR / f"{self.number}-{self.slug}.md"

    @property
    def test_folder(self) -> str:
        """tests/test_NN: where a lesson with more than three test files keeps them all ("" for the others)."""
        folder = f"tests/test_{self.number}"
        return folder if (REPO_DIR / folder).is_dir() else ""

    @property
    def test_path(self) -> str:
        return f"tests/test_{self.number}_{self.slug.replace('-', '_')}.py"

    @property
    def test_paths(self) -> tuple[str, ...]:
        """What `pytest` is given for the lesson: its folder, or its fast files (*_slow.py ones are in files)."""
        return (self.test_folder,) if self.test_folder else (self.test_path, *self.more_tests)

    @property
    def test_command(self) -> str:
        """The lesson's fast tests; a folder holds its slow ones too, which the marker leaves out."""
        marker = f' -m "{FAST_TESTS}"' if self.test_folder else ""
        return "pytest " + " ".join(self.test_paths) + marker

    @property
    def page_url(self) -> str:
        return f"/lessons/{self.number}/"

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        """This lesson's exercises, as the kit's registry describes them."""
        return tuple(exercise for exercise in EXERCISES if exercise.lesson == self.number)


CHAT_SAMPLE = '{"message": "hello, room"}'

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        number="00",
        slug="setup",
        title="Setup: ASGI, Daphne and the root router",
        apps=("lessons",),
        files=(
            "lessons/settings.py",
            "lessons/asgi.py",
            "lessons/routing.py",
            "lessons/consumers.py",
            "lessons/management/commands/doctor.py",
            "tests/test_00/test_setup.py",
            "tests/test_00/test_doctor.py",
            "tests/test_00/test_setup_slow.py",
        ),
    ),
    Lesson(
        number="01",
        slug="sync-consumer",
        title="The raw SyncConsumer",
        apps=("sync_demo",),
        routes=(
            Route(
                path="ws/sync/echo/",
                summary="raw SyncConsumer: every text or binary frame comes back unchanged",
            ),
            Route(
                path="ws/sync/refuse/",
                summary="answers websocket.connect with websocket.close: the handshake is refused (HTTP 403)",
            ),
            Route(
                path="ws/sync/close/",
                summary="accepts; your first frame (text or binary) gets a goodbye frame, then the server closes with code 4000",
            ),
            Route(
                path="ws/sync/slow/",
                summary='blocks the one sync thread for the seconds (0-3) you send (time.sleep), then replies {"slept": S}; an async echo on another socket waits too (lesson 02)',
                sample="2",
            ),
            Route(
                path="ws/sync/scope/demo/?colour=blue",
                summary="accepts and sends what this connection's scope holds (path, query string, headers, url_route) and its consumer instance number; again for every frame you send",
            ),
        ),
        files=(
            "sync_demo/consumers.py",
            "sync_demo/slow.py",
            "sync_demo/routing.py",
            "tests/test_01_sync_consumer.py",
        ),
    ),
    Lesson(
        number="02",
        slug="async-consumer",
        title="The raw AsyncConsumer and server push",
        apps=("async_demo",),
        routes=(
            Route(
                path="ws/async/echo/",
                summary="raw AsyncConsumer: every text or binary frame comes back unchanged",
            ),
            Route(
                path="ws/async/ticker/?interval=1",
                summary='pushes {"tick": n} every interval seconds (0.05-60), no client input needed; a bad interval closes 4400',
                sample="",
            ),
            Route(
                path="ws/async/slow/",
                summary='waits (asyncio.sleep) the seconds (0-10) you send, then replies {"slept": S}; other sockets are not held up',
                sample="2",
            ),
            Route(
                path="ws/async/hop-free-echo/",
                summary="the echo with a dispatch that skips the sync-thread hop: it answers while ws/sync/slow/ blocks (DB-free consumers only)",
            ),
        ),
        files=(
            "async_demo/consumers.py",
            "async_demo/slow.py",
            "async_demo/hop_free.py",
            "async_demo/routing.py",
            "tests/test_02_async_consumer.py",
        ),
    ),
    Lesson(
        number="03",
        slug="generic-consumers",
        title="Generic consumers: what WebsocketConsumer and friends wrap",
        apps=("sync_demo", "async_demo"),
        routes=(
            Route(
                path="ws/sync/generic-echo/",
                summary="WebsocketConsumer: the lesson 01 echo as two short methods",
            ),
            Route(
                path="ws/async/json-echo/",
                summary='AsyncJsonWebsocketConsumer: JSON V comes back as {"echo": V}; bad JSON or bytes get {"error": ...}',
                sample='{"hello": "json"}',
            ),
        ),
        files=(
            "sync_demo/generic_consumers.py",
            "async_demo/generic_consumers.py",
            "tests/test_03_generic_consumers.py",
        ),
    ),
    Lesson(
        number="04",
        slug="channel-layers",
        title="Channel layers, channel names and groups: chat rooms",
        apps=("layers_demo",),
        routes=(
            Route(
                path="ws/layers/plain-chat/lobby/",
                summary="lesson 04's plain chat room (raw AsyncConsumer): every socket in the room receives each message; no flood limit, so development only",
                sample=CHAT_SAMPLE,
            ),
            Route(
                path="ws/layers/generic-chat/lobby/",
                summary="the same chat on AsyncWebsocketConsumer, the Channels docs' shape, in rooms of its own; development only",
                sample=CHAT_SAMPLE,
            ),
            Route(
                path="ws/chat/lobby/",
                summary="the chat hardened in lesson 05 (flood limit, 4503), in rooms no other chat route sends into",
                sample=CHAT_SAMPLE,
            ),
            Route(
                path="ws/layers/direct/",
                summary='tells you your "address" (channel name, signed); send {"to": <an address>, "message": ...}',
                sample='{"to": "paste an address here", "message": "psst"}',
            ),
        ),
        more_tests=("tests/test_04_direct_and_groups.py",),
        files=(
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
    ),
    Lesson(
        number="05",
        slug="redis-layer",
        title="The Redis channel layer: several server processes, one room",
        apps=("layers_demo",),
        routes=(
            Route(
                path="ws/chat/lobby/",
                summary="the same chat room; run two servers on Redis and watch a message cross",
                sample=CHAT_SAMPLE,
            ),
        ),
        files=(
            "lessons/channel_config.py",
            "layers_demo/hardened_chat.py",
            "layers_demo/flood.py",
            "layers_demo/membership.py",
            "tests/test_05/test_redis_layer.py",
            "tests/test_05/test_hardened_chat.py",
            "tests/test_05/test_sharding.py",
            "tests/test_05/test_redis_layer_slow.py",
            "tests/test_05/test_sharding_slow.py",
        ),
    ),
    Lesson(
        number="06",
        slug="outside-the-consumer",
        title="Sending from outside a consumer: commands, views and workers",
        apps=("layers_demo",),
        routes=(
            Route(
                path="ws/chat/lobby/",
                summary="a chat room to watch announcements arrive in",
                sample=CHAT_SAMPLE,
            ),
            Route(
                path="ws/layers/primes/",
                summary='send {"below": N}: a worker (`runworker layers-primes`, on Redis) counts the primes and answers',
                sample='{"below": 1000000}',
            ),
        ),
        files=(
            "layers_demo/announce.py",
            "layers_demo/management/commands/announce.py",
            "layers_demo/views.py",
            "layers_demo/hardened_chat.py",
            "layers_demo/primes.py",
            "tests/test_06_outside_the_consumer.py",
            "tests/test_06_outside_the_consumer_slow.py",
        ),
    ),
    Lesson(
        number="07",
        slug="authentication",
        title="Authentication: sessions, scope['user'] and origin checks",
        apps=("auth_demo",),
        routes=(
            Route(
                path="ws/auth/whoami/",
                summary='a logged-in user receives {"username": ...}; an anonymous one is closed with 4401',
                sample="",
            ),
            Route(
                path="ws/auth/login/",
                summary='log this socket in or out with channels\' login()/logout(): {"action": "login"|"logout"|"whoami"}; a login answers with a handoff token this browser can redeem over HTTP',
                sample='{"action": "login", "username": "ada", "password": "analytical-engine"}',
            ),
        ),
        more_tests=("tests/test_07_socket_login.py",),
        files=(
            "auth_demo/consumers.py",
            "auth_demo/socket_login.py",
            "auth_demo/views.py",
            "auth_demo/whoami_client.py",
            "auth_demo/routing.py",
            "tests/test_07_authentication.py",
            "tests/test_07_socket_login.py",
            "tests/test_07_authentication_slow.py",
        ),
    ),
    Lesson(
        number="08",
        slug="database",
        title="The database from async code: history and the liveblog",
        apps=("db_demo",),
        routes=(
            Route(
                path="ws/db/room/lobby/",
                summary='a chat room with memory: the first frame is {"history": [...]}, each message is saved, then sent',
                sample=CHAT_SAMPLE,
            ),
            Route(
                path="ws/liveblog/",
                summary='listens only: every Post saved and committed (admin, shell, manage.py post) arrives as {"post": {...}}',
                sample="",
            ),
        ),
        more_tests=("tests/test_08_liveblog.py",),
        files=(
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
    ),
    Lesson(
        number="09",
        slug="testing",
        title="Testing consumers",
        apps=("tests",),
        more_tests=("tests/test_09_pitfalls.py",),
        files=(
            "tests/conftest.py",
            "tests/fixtures/layers.py",
            "tests/fixtures/database.py",
            "tests/fixtures/servers.py",
            "tests/fixtures/browser.py",
            "tests/helpers/tiny_consumers.py",
            "tests/helpers/channels_live_case.py",
            "tests/test_09_testing.py",
            "tests/test_09_pitfalls.py",
            "tests/test_09_testing_slow.py",
        ),
    ),
    Lesson(
        number="10",
        slug="http-consumers",
        title="HTTP consumers: long-poll and server-sent events",
        apps=("http_demo", "db_demo"),
        routes=(
            Route(
                path="liveblog/events/",
                summary="server-sent events: every Post saved and committed is an event with its id; EventSource reconnects by itself and sends Last-Event-ID to get what it missed",
                sample="",
                kind="sse",
            ),
            Route(
                path="ws/liveblog/",
                summary='the WebSocket twin: the same posts as {"post": {...}} frames',
                sample="",
            ),
            Route(
                path="http/ticker/?interval=1",
                summary="server-sent events from a raw AsyncConsumer: a tick event every interval seconds (0.05-60)",
                sample="",
                kind="sse",
            ),
            Route(
                path="http/poll/?timeout=25",
                summary="long-poll: waits for the next message POSTed to /http/publish/; 200 with it, or 204 after the timeout",
                sample="",
                kind="http",
            ),
            Route(
                path="http/publish/",
                summary="AsyncHttpConsumer: POST a text body (1-4096 characters), logged in (lesson 07); the page sends its CSRF token; every waiting poll gets it",
                sample="hello, pollers",
                kind="http",
                method="POST",
            ),
            Route(
                path="http/raw/",
                summary="raw AsyncConsumer: answers with the method, path, body parts and bytes it received; a body over 64 KiB gets 413",
                sample="any body at all",
                kind="http",
                method="POST",
            ),
        ),
        files=(
            "http_demo/consumers.py",
            "http_demo/generic_consumers.py",
            "http_demo/longpoll.py",
            "http_demo/ticker.py",
            "http_demo/routing.py",
            "db_demo/events.py",
            "db_demo/liveblog.py",
            "tests/test_10/test_http_consumers.py",
            "tests/test_10/test_long_poll.py",
            "tests/test_10/test_server_sent_events.py",
            "tests/test_10/test_http_consumers_slow.py",
        ),
    ),
    Lesson(
        number="11",
        slug="middleware-and-tokens",
        title="Middleware and tokens for clients without cookies",
        apps=("auth_demo",),
        routes=(
            Route(
                path="ws/auth/token/",
                summary='the first frame must be {"token": ...} from `python manage.py issue_token <username>`: a valid one gets {"username": ...}; anything else, or 10 s of silence, closes 4401',
                sample='{"token": "paste the token issue_token printed"}',
            ),
            Route(
                path="ws/auth/token-query/?token=",
                summary='QueryStringTokenAuthMiddleware: the token after ?token= decides scope["user"]; {"username": ...}, or 4401. It works, and uvicorn and nginx write the URL, token and all, in their access logs',
            ),
            Route(
                path="ws/auth/token-protocol/",
                summary='SubprotocolTokenAuthMiddleware: the token as the subprotocol after "bearer"; the server answers "bearer". The page\'s buttons below send it (a message box cannot)',
            ),
        ),
        more_tests=("tests/test_11_middleware.py",),
        files=(
            "auth_demo/tokens.py",
            "auth_demo/token_login.py",
            "auth_demo/management/commands/issue_token.py",
            "auth_demo/middleware.py",
            "auth_demo/consumers.py",
            "auth_demo/token_protocol.py",
            "auth_demo/routing.py",
            "auth_demo/views.py",
            "auth_demo/token_client.py",
            "course/templates/course/extras/11.html",
            "tests/test_11_middleware_and_tokens.py",
            "tests/test_11_middleware.py",
            "tests/test_11_middleware_and_tokens_slow.py",
        ),
    ),
    Lesson(
        number="12",
        slug="delivery",
        title="Delivery: at-most-once, replay by id, a client that misses nothing",
        apps=("db_demo",),
        routes=(
            Route(
                path="ws/liveblog/?since=0",
                summary="replay by id: every saved post with an id above since (the 100 newest), oldest first, then the live ones; tick reconnect, stop and restart the server: the page asks for since=<last id> and shows each post once",
                sample="",
            ),
            Route(
                path="liveblog/events/",
                summary="the server-sent events twin (lesson 10): EventSource sends Last-Event-ID by itself",
                sample="",
                kind="sse",
            ),
        ),
        files=(
            "db_demo/liveblog.py",
            "db_demo/events.py",
            "course/static/course/client.js",
            "tests/test_12_delivery.py",
            "tests/test_12_delivery_slow.py",
        ),
    ),
    Lesson(
        number="13",
        slug="deployment",
        title="Deployment: nginx, several Daphnes, a process killed mid-chat",
        apps=("lessons", "deploy"),
        files=(
            "deploy/nginx.conf",
            "deploy/channels-lessons-daphne@.service",
            "deploy/channels-lessons-worker.service",
            "deploy/env.example",
            "lessons/settings_production.py",
            "lessons/routing.py",
            "tests/test_13/test_deployment.py",
            "tests/test_13/test_production_routes.py",
            "tests/test_13/test_deployment_slow.py",
            "tests/test_13/test_crash_slow.py",
            "tests/test_13/test_servers_slow.py",
            "tests/test_13/test_production_routes_slow.py",
        ),
    ),
    Lesson(
        number="14",
        slug="capacity",
        title="Capacity: how many sockets one process holds, what a broadcast costs, a model that predicts",
        apps=("bench", "deploy"),
        files=(
            "bench/scale/run.py",
            "bench/scale/swarm.py",
            "bench/scale/idle.py",
            "bench/scale/fanout.py",
            "bench/scale/churn.py",
            "bench/scale/storm.py",
            "bench/scale/fastest.py",
            "bench/capacity/model.py",
            "bench/capacity/fit.py",
            "bench/capacity/cli.py",
            "bench/scale/validate.py",
            "bench/scale/reference.md",
            "deploy/channels-lessons-daphne@.service",
            "lessons/management/commands/doctor.py",
            "tests/test_14/test_capacity.py",
            "tests/test_14/test_churn.py",
            "tests/test_14/test_ceiling.py",
            "tests/test_14/test_capacity_slow.py",
        ),
    ),
    Lesson(
        number="15",
        slug="layers-in-production",
        title="The channel layer in production: Redis Sentinel, a failover measured, which layer loses what",
        apps=("lessons", "deploy"),
        files=(
            "deploy/redis.conf",
            "deploy/sentinel.conf",
            "lessons/channel_config.py",
            "lessons/postgres_layer.py",
            "lessons/settings.py",
            "db_demo/signals.py",
            "db_demo/liveblog.py",
            "bench/failover/run.py",
            "bench/failover/reference.md",
            "bench/guarantees/table.py",
            "bench/guarantees/table.md",
            "tests/test_15/test_sentinel.py",
            "tests/test_15/test_postgres_layer.py",
            "tests/test_15/test_guarantees.py",
            "tests/test_15/test_sentinel_slow.py",
            "tests/test_15/test_sentinel_steps_slow.py",
            "tests/test_15/test_postgres_layer_slow.py",
            "tests/test_15/test_guarantees_slow.py",
        ),
    ),
    Lesson(
        number="16",
        slug="hostile-clients",
        title="Hostile clients: what one client can do to a Channels process, and the defences",
        apps=("lessons", "auth_demo", "layers_demo", "db_demo"),
        files=(
            "lessons/settings.py",
            "lessons/settings_production.py",
            "lessons/routing.py",
            "lessons/origins.py",
            "lessons/slow_readers.py",
            "lessons/asgi.py",
            "layers_demo/flood_budgets.py",
            "layers_demo/hardened_chat.py",
            "db_demo/flood_budgets.py",
            "layers_demo/worker_jobs.py",
            "auth_demo/throttle.py",
            "auth_demo/socket_login.py",
            "course/inspector.py",
            "deploy/nginx.conf",
            "tests/test_16/test_password_guessing.py",
            "tests/test_16/test_flood_across_sockets.py",
            "tests/test_16/test_every_route_budgeted.py",
            "tests/test_16/test_budgets_slow.py",
            "tests/test_16/test_origins.py",
            "tests/test_16/test_origins_slow.py",
            "tests/test_16/test_slow_clients_slow.py",
            "tests/test_16/test_slow_readers_slow.py",
            "tests/test_13/test_production_routes.py",
            "tests/test_13/test_production_routes_slow.py",
            "tests/course/test_inspector_secret_shapes.py",
            "tests/course/test_inspector_escaped_keys.py",
        ),
    ),
    Lesson(
        number="17",
        slug="workshop-room",
        title="The workshop room: every laptop's progress live, built from what the course taught",
        apps=("workshop",),
        routes=(
            Route(
                path="ws/workshop/student/",
                summary="a student's laptop: its signed token in the first frame, then reports; anything else first is closed with 4401",
                sample='{"token": "not-a-token"}',
            ),
            Route(
                path="ws/workshop/room/",
                summary="the instructor's page: a staff session's socket, sent every change in the room; closed with 4401 without an account, 4403 for one that is not staff",
                sample="",
            ),
        ),
        files=(
            "workshop/models.py",
            "workshop/tokens.py",
            "workshop/join.py",
            "workshop/student_socket.py",
            "workshop/frames.py",
            "workshop/limits.py",
            "workshop/room.py",
            "workshop/staff_socket.py",
            "workshop/views.py",
            "workshop/static/workshop/room.js",
            "workshop/client.py",
            "workshop/students.py",
            "workshop/management/commands/workshop.py",
            "workshop/serve.py",
            "workshop/settings_room.py",
            "tests/test_17/test_student_socket.py",
            "tests/test_17/test_join.py",
            "tests/test_17/test_client.py",
            "tests/test_17/test_server_slow.py",
            "tests/test_17/test_client_slow.py",
        ),
    ),
)


def get_lesson(number: str) -> Lesson | None:
    """The lesson numbered `number` ("00", "01", ...), or None."""
    return next((lesson for lesson in LESSONS if lesson.number == number), None)
