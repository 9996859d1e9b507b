"""Every exercise of the kit: its id, title, files, live route and hints (read by `manage.py exercise`)."""

import hashlib
import importlib
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

EXERCISES_DIR = Path(__file__).resolve().parent
# Which module a check drives: the student's starter (default) or the reference solution (CI).
TARGET_VARIABLE = "EXERCISE_TARGET"
# Where the student's own files are: exercises/ unless EXERCISES_STARTERS names another folder
# (the kit's tests point it at copies, so they never touch the shipped starters).
STARTERS_VARIABLE = "EXERCISES_STARTERS"


def starters_dir() -> Path:
    return Path(os.environ.get(STARTERS_VARIABLE) or EXERCISES_DIR)


@dataclass(frozen=True)
class Exercise:
    id: str  # "NN.K": lesson NN, exercise K
    slug: str
    title: str
    hints: tuple[str, ...]
    route: str | None = None  # where the lesson page can poke the student's consumer in development
    # "build": write a consumer from a starter; "fix": the starter reproduces a real, documented
    # mistake, and `upstream` names the issue or docs page where users met it.
    kind: str = "build"
    upstream: str | None = None

    @property
    def lesson(self) -> str:
        return self.id.split(".")[0]

    @property
    def module_name(self) -> str:
        number, k = self.id.split(".")
        return f"ex{number}_{k}_{self.slug}"

    @property
    def starter_path(self) -> Path:
        return starters_dir() / f"{self.module_name}.py"

    @property
    def shipped_starter_path(self) -> Path:
        return EXERCISES_DIR / f"{self.module_name}.py"

    @property
    def solution_path(self) -> Path:
        return EXERCISES_DIR / "solutions" / f"{self.module_name}.py"

    @property
    def check_path(self) -> Path:
        number, k = self.id.split(".")
        return EXERCISES_DIR / "checks" / f"check_{number}_{k}_{self.slug}.py"

    @property
    def command(self) -> str:
        return f"python manage.py exercise {self.id}"


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "00.1",
        "installed_apps",
        "Runserver refuses to start (daphne.E001), or starts and every socket gets 404",
        (
            "Two apps ship a runserver command: daphne's (ASGI) and staticfiles' (WSGI). When two apps share a command, which wins?",
            'Put "daphne" first in INSTALLED_APPS, above django.contrib.staticfiles; keep every other app.',
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1958",
    ),
    Exercise(
        "00.2",
        "asgi_order",
        "Daphne cannot import asgi.py (AppRegistryNotReady: Apps aren't loaded yet)",
        (
            "Importing a consumer imports its models. What must Django have done before a model can be defined?",
            "get_asgi_application() runs django.setup(), which needs DJANGO_SETTINGS_MODULE: set it, call it, keep the result.",
            "Then import the routing (and channels.auth) below that call, as lessons/asgi.py does (# noqa: E402).",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1564",
    ),
    Exercise(
        "00.3",
        "unknown_path",
        "A typo in a socket's URL gives HTTP 500 and a traceback",
        (
            "URLRouter raises ValueError when no route matches. Which route could match every path, and where must it go?",
            'Add re_path(r"", ...) as the last route, to a consumer that answers websocket.connect with websocket.close.',
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/2147",
    ),
    Exercise(
        "01.1",
        "sync_echo",
        "A raw SyncConsumer echo, from scratch",
        (
            "Three handlers: websocket_connect, websocket_receive, websocket_disconnect. Each receives the event dict.",
            'Accept with self.send({"type": "websocket.accept"}); echo with {"type": "websocket.send", "text": ...} or "bytes".',
            "websocket_disconnect must raise StopConsumer(), or the consumer never ends (lesson 01).",
        ),
        "ws/exercises/01-1/",
    ),
    Exercise(
        "01.2",
        "shout",
        "Shout back, and close with 4000 on bye",
        (
            'Upper-case the text: event["text"].upper().',
            'On "bye", send {"type": "websocket.close", "code": 4000} instead of a frame.',
        ),
        "ws/exercises/01-2/",
    ),
    Exercise(
        "01.3",
        "echo_route",
        "The echo is routed, but every handshake crashes with a TypeError",
        (
            "A router calls what it routes as app(scope, receive, send), once per connection. Is a consumer class that?",
            "Route EchoConsumer.as_asgi(): it returns the ASGI application that makes one instance per connection.",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1735",
    ),
    Exercise(
        "01.4",
        "lobby_leaves",
        "The socket closes, but its consumer runs on until Daphne kills it",
        (
            "A raw consumer's loop waits for events until a handler raises one exception. Which, and in which handler?",
            "raise StopConsumer() as the last line of websocket_disconnect: after group_discard, never before it.",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1163",
    ),
    Exercise(
        "02.1",
        "async_echo",
        "A raw AsyncConsumer echo, from scratch",
        (
            "The same three handlers as 01.1, but `async def`, and every self.send(...) is awaited.",
            "An un-awaited self.send(...) sends nothing and warns 'coroutine was never awaited'.",
        ),
        "ws/exercises/02-1/",
    ),
    Exercise(
        "02.2",
        "countdown",
        "A ticker that stops by itself after ?count=N ticks",
        (
            'Read the count from self.scope["query_string"] (bytes) with urllib.parse.parse_qs.',
            "Start the ticking as a task on connect (asyncio.create_task) and cancel it on disconnect.",
            "A count that is not an integer 1-100: accept, then close with 4400 before any tick. After the last tick, close with 1000.",
        ),
        "ws/exercises/02-2/?count=3",
    ),
    Exercise(
        "02.3",
        "slow_report",
        "One slow report freezes every socket of the process",
        (
            "An async consumer shares one event loop with every socket of the process. What does it do while build_report() sleeps?",
            "Run the blocking call in a thread: report = await asyncio.to_thread(build_report).",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/2132",
    ),
    Exercise(
        "03.1",
        "adder",
        "A JSON consumer that adds two numbers",
        (
            "Subclass AsyncJsonWebsocketConsumer and override receive_json(self, content).",
            'Check that content is a dict with numbers "a" and "b" (not bool!), else send_json({"error": ...}).',
            "Malformed JSON raises in decode_json before receive_json: override decode_json or receive to catch it.",
        ),
        "ws/exercises/03-1/",
    ),
    Exercise(
        "03.2",
        "text_only",
        "A WebsocketConsumer that refuses binary frames politely",
        (
            "receive(self, text_data=None, bytes_data=None): exactly one of them is set.",
            'bytes_data → self.send(text_data=json.dumps({"error": ...})); the socket stays open.',
        ),
        "ws/exercises/03-2/",
    ),
    Exercise(
        "03.3",
        "polite_echo",
        "The polite echo accepts, then never answers",
        (
            'Read the warning: "coroutine ... was never awaited". What does calling an async method give you?',
            "In an async consumer every self.send(...) is awaited: await self.send(text_data=...).",
        ),
        kind="fix",
        upstream="https://docs.python.org/3/library/asyncio-dev.html#detect-never-awaited-coroutines",
    ),
    Exercise(
        "04.1",
        "whisper",
        "Whisper to one socket in a chat room",
        (
            'On connect, join the group "exroom" and tell the client its address: {"you": self.channel_name}.',
            '{"message": m} goes to the whole group; {"to": address, "message": m} goes with channel_layer.send to that one channel.',
            'Both arrive as a "chat.message" layer message; its handler sends {"message": m} to the socket.',
            "channel_layer.send raises TypeError for an address that is no channel name: answer it with an error.",
        ),
        "ws/exercises/04-1/",
    ),
    Exercise(
        "04.2",
        "presence",
        "Tell the room who joins and who leaves",
        (
            'On connect: group_add, accept, then group_send {"type": "presence", "joined": <a name>}.',
            'On disconnect: group_discard first, then group_send {"type": "presence", "left": <the name>}: the others hear it, and nothing waits on a channel no one reads.',
            "A handler named presence sends the event (minus its type) to the socket.",
        ),
        "ws/exercises/04-2/",
    ),
    Exercise(
        "04.3",
        "room_handler",
        "The first message in the room crashes every socket in it",
        (
            'A consumer finds the handler for an event from its "type": which method does "websocket.receive" call?',
            'Dots become underscores: "chat.message" calls chat_message. Rename the handler.',
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1184",
    ),
    Exercise(
        "04.4",
        "room_names",
        "The chat works in lobby, and crashes in café",
        (
            "Read the TypeError: which characters and how many may a group name hold? Which room names break it?",
            'Make the group name from a digest of the room: "chat_" + hashlib.sha256(room.encode()).hexdigest().',
            "Slugifying, quoting or cutting the name is not enough: two different rooms must never share a group.",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1845",
    ),
    Exercise(
        "04.5",
        "sync_room",
        "The synchronous chat sends, and nobody hears",
        (
            "Every channel layer method is a coroutine function. What does calling one from synchronous code give you?",
            "Call it as connect() already does: async_to_sync(self.channel_layer.group_send)(GROUP, {...}).",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/944",
    ),
    Exercise(
        "05.1",
        "flood_limit",
        "A chat that answers a flood with errors",
        (
            "Keep the times of this socket's recent messages (collections.deque) and time.monotonic().",
            'More than LIMIT messages in PERIOD seconds: send {"error": ...} to the sender only, broadcast nothing.',
        ),
        "ws/exercises/05-1/",
    ),
    Exercise(
        "05.2",
        "layer_down",
        "Close with 4503 when the channel layer fails",
        (
            "Override __call__(self, scope, receive, send) and wrap super().__call__ in try/except.",
            'Catch redis.exceptions.RedisError and send {"type": "websocket.close", "code": 4503} with the raw send.',
        ),
        "ws/exercises/05-2/",
    ),
    Exercise(
        "05.3",
        "layer_settings",
        "The chat works on one process, and loses half the room on two",
        (
            "Where does InMemoryChannelLayer keep its groups? Can another process see them?",
            'Use "channels_redis.core.RedisChannelLayer" with "CONFIG": {"hosts": [REDIS_URL]}, the same in every process.',
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1060",
    ),
    Exercise(
        "05.4",
        "thumbnail_queue",
        "When the thumbnail queue is full, every socket that sends one more image dies (1011)",
        (
            "What does channel_layer.send() do when the channel already holds `capacity` messages?",
            'Wrap the send in try/except ChannelFull and answer {"error": ...} at once; do not wait for room.',
        ),
        kind="fix",
        upstream="https://github.com/django/channels_redis/issues/22",
    ),
    Exercise(
        "05.5",
        "idle_timeout",
        "On Redis, every quiet socket drops after five seconds (redis-py 8)",
        (
            "receive() waits in Redis for up to 5 s (BZPOPMIN). How long does redis-py 8 wait for an answer by default?",
            'Give the host as a dict: {"address": REDIS_URL, "socket_timeout": None, "socket_keepalive": True}.',
        ),
        kind="fix",
        upstream="https://github.com/django/channels_redis/issues/422",
    ),
    Exercise(
        "06.1",
        "square_worker",
        "A worker consumer that squares numbers",
        (
            'A worker has a "channel" scope: no websocket events, only layer messages like {"type": "square.job", ...}.',
            'Reply with await self.channel_layer.send(event["reply_to"], {"type": "square.done", "result": n * n}).',
        ),
    ),
    Exercise(
        "06.2",
        "announce",
        "Announce to a room from synchronous code",
        (
            "get_channel_layer() works outside any consumer.",
            'async_to_sync(layer.group_send)(f"chat-{room}", {"type": "chat.message", "message": text, "sender": "announce"}).',
        ),
    ),
    Exercise(
        "06.3",
        "alarm",
        "The view can sound the alarm; the socket crashes trying",
        (
            "async_to_sync blocks its thread until the coroutine is done. Which thread is a consumer's handler on?",
            "In the consumer, await self.channel_layer.group_send(...) with the same message; leave sound_alarm() sync.",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1020",
    ),
    Exercise(
        "07.1",
        "members_only",
        "Refuse anonymous users with 4401",
        (
            'scope["user"] is set by AuthMiddlewareStack; anonymous users are AnonymousUser, never None.',
            'Accept first, then close with 4401 if not user.is_authenticated; else send {"hello": username}.',
        ),
        "ws/exercises/07-1/",
    ),
    Exercise(
        "07.2",
        "staff_only",
        "Only staff may enter: 4403 for the others",
        (
            'user.is_staff tells staff apart. Anonymous: 4401; logged in but not staff: 4403; staff: {"staff": username}.',
        ),
        "ws/exercises/07-2/",
    ),
    Exercise(
        "07.3",
        "socket_login",
        "Logged in over the socket, anonymous again after a reload",
        (
            "Over HTTP, Django's SessionMiddleware saves the session when the response goes out. Does a socket ever send one?",
            'After login(), await database_sync_to_async(self.scope["session"].save)(): after it, never before (login() moves the session to a new key).',
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1745",
    ),
    Exercise(
        "08.1",
        "history",
        "Send a room's saved history on connect",
        (
            "The ORM is synchronous: wrap the query in database_sync_to_async (lesson 08).",
            'Send {"history": [...]}: the texts of the room\'s last 5 ChatMessage rows, oldest first.',
            "Evaluate the queryset inside the sync function (list(...)): a lazy queryset would query on the event loop.",
        ),
        "ws/exercises/08-1/lobby/",
    ),
    Exercise(
        "08.2",
        "save_then_send",
        "Save a message, then send it with its id",
        (
            "Save a db_demo ChatMessage(room=..., text=...) in a database_sync_to_async function.",
            'Send {"id": message.id, "message": text} only after the save returned.',
        ),
        "ws/exercises/08-2/lobby/",
    ),
    Exercise(
        "08.3",
        "guestbook",
        "The guestbook opens, then crashes with SynchronousOnlyOperation",
        (
            "The ORM blocks while the database answers. Where does websocket_receive run, and may it block there?",
            "Move both queries into one @database_sync_to_async function returning (id, count), and await it.",
            "A queryset is lazy: evaluate it (count(), list()) inside that function, not after it returns.",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1916",
    ),
    Exercise(
        "09.1",
        "write_a_test",
        "Write a test that catches broken echoes",
        (
            "Your test_echo(consumer) gets a consumer class; drive it with WebsocketCommunicator(consumer.as_asgi(), '/').",
            "Check text AND bytes frames, and that the consumer ends after disconnect (not cancelled).",
            "The check runs your test on a correct echo (must pass) and on broken ones (each must fail).",
        ),
    ),
    Exercise(
        "09.3",
        "routed_test",
        "A test that crashes (KeyError: 'url_route') on a correct consumer",
        (
            'Which part of the stack puts scope["url_route"] in place? Is it in your communicator?',
            'Build the communicator on URLRouter([path("ws/fixroom/<str:room>/", consumer.as_asgi())]), and keep the greeting assert.',
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/983",
    ),
    Exercise(
        "10.1",
        "hello_http",
        "A raw HTTP consumer that says hello",
        (
            "http.request arrives (maybe in several parts: more_body); answer with http.response.start, then http.response.body.",
            'Read ?name= from the query string; answer 200 "Hello, <name>" as text/plain, or 400 without a name.',
        ),
    ),
    Exercise(
        "10.2",
        "body_size",
        "An AsyncHttpConsumer that measures bodies, up to a limit",
        (
            "AsyncHttpConsumer.handle(self, body) gets the whole body; answer with send_response(status, body, headers=...).",
            'Answer 200 {"bytes": len(body)} as application/json; a body over 1024 bytes gets 413.',
        ),
    ),
    Exercise(
        "10.3",
        "total",
        'Small uploads are added up; big ones get 400 "not JSON"',
        (
            'Look at "more_body" in each http.request event: how many events can one request body arrive in?',
            'Append each event\'s body to a list kept on the instance (set it in __init__); parse b"".join(parts) once more_body is false.',
        ),
        kind="fix",
        upstream="https://asgi.readthedocs.io/en/latest/specs/www.html#request-receive-event",
    ),
    Exercise(
        "11.1",
        "first_frame_token",
        "Accept a token only in the first frame",
        (
            "Accept, then start a deadline task (asyncio.create_task) that closes with 4401 after DEADLINE seconds.",
            'The first frame must be {"token": t} with auth_demo.tokens.user_id_from_token(t) not None: send {"user_id": id}.',
            "Cancel the deadline on the first frame and on disconnect; any other first frame closes with 4401.",
        ),
        "ws/exercises/11-1/",
    ),
    Exercise(
        "11.2",
        "query_token_middleware",
        "Write a middleware that reads ?token= into the scope, on a copy",
        (
            "A middleware's __call__(scope, receive, send) runs once per connection; super().__call__ calls the inner app.",
            'parse_qs(scope["query_string"].decode("latin-1")).get("token", [None])[0] is the token or None.',
            "Never assign into the scope you were given: scope = dict(scope, token_user_id=...), then pass that on.",
        ),
    ),
    Exercise(
        "11.3",
        "user_agent_middleware",
        "A middleware from a Channels 2 tutorial crashes every socket",
        (
            "How many arguments does a server pass to an ASGI 3 application, and does it await it?",
            "async def __call__(self, scope, receive, send): return await self.inner(dict(scope, user_agent=agent), receive, send).",
        ),
        kind="fix",
        upstream="https://channels.readthedocs.io/en/latest/releases/3.0.0.html",
    ),
    Exercise(
        "12.1",
        "replay_since",
        "Replay the posts a reconnecting client missed",
        (
            "Read since from the query string: a non-negative integer, else close with 4400 after the accept.",
            'Query Post.objects.filter(id__gt=since).order_by("id") inside a database_sync_to_async function (list() it there).',
            'Send each as {"post": post.as_frame()}, oldest first.',
        ),
        "ws/exercises/12-1/?since=0",
    ),
    Exercise(
        "12.2",
        "exactly_once",
        "Show each post once, however often it arrives",
        (
            "Remember what you have shown, by id; a post whose id and content you have shown is a repeat.",
            "An edited post (same id, new title or body) is news: compare the whole post, not just the id.",
        ),
    ),
    Exercise(
        "12.3",
        "news_ticker",
        "The ticker's group keeps every socket that ever failed",
        (
            "A send to a closing socket raises, and the consumer ends. Which handler then never runs?",
            "Override __call__: try: await super().__call__(scope, receive, send) finally: leave the group there.",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1466",
    ),
    Exercise(
        "13.1",
        "websocket_location",
        "Write nginx's location block for WebSockets",
        (
            "A WebSocket through nginx needs proxy_http_version 1.1 and the Upgrade and Connection headers passed on.",
            "Set X-Forwarded-For to $remote_addr (not $proxy_add_x_forwarded_for: lesson 13 shows why), and a long proxy_read_timeout.",
        ),
    ),
    Exercise(
        "13.2",
        "health_check",
        "A health check a load balancer can poll",
        (
            "An AsyncHttpConsumer whose handle() answers 200 with a small JSON body.",
            'Answer {"ok": true, "pid": os.getpid()}: behind nginx, the pid tells which process answered.',
            'Anything but GET gets 405 (check self.scope["method"]).',
        ),
    ),
    Exercise(
        "13.3",
        "allowed_hosts",
        "Deployed, every socket on www.example.com is refused without a word",
        (
            "A page on www.example.com sends Origin: https://www.example.com. Which entry of ALLOWED_HOSTS matches its host?",
            'List every host the site is served at, as host names: ["example.com", "www.example.com"]. Never "*".',
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/2062",
    ),
    Exercise(
        "14.1",
        "online_list",
        "Memory grows with every socket that comes and goes",
        (
            "A send to a closing socket raises, and the consumer ends. Which handler then never runs, and what stays in ONLINE?",
            "Override __call__: try: await super().__call__(scope, receive, send) finally: forget the socket there, ONLINE and the group.",
            "A server cancels a consumer that outlives its socket: CancelledError is no Exception, so `except Exception` misses it; `finally` does not.",
        ),
        kind="fix",
        upstream="https://github.com/django/channels/issues/1466",
    ),
    Exercise(
        "14.2",
        "reconnect_delay",
        "A reconnect delay that survives a reconnect storm: backoff, a cap, full jitter",
        (
            "The ceiling doubles with each failed attempt, from BASE, and stops at CAP: min(CAP, BASE * 2 ** attempt), as client.js computes it.",
            "Full jitter: wait random.uniform(0, ceiling). Not the ceiling itself, not the ceiling plus a little, and cap the ceiling before you draw.",
            "Count attempts on self; opened() sets the count back to 0. Stop doubling once past CAP: 0.5 * 2 ** 1100 is too big for a float.",
        ),
    ),
    Exercise(
        "15.1",
        "sentinel_host",
        "Find the primary through Sentinel",
        (
            'Split REDIS_SENTINELS on ",", each entry on its last ":"; the port is an int: ("10.0.0.7", 26379).',
            'Start from redis_host(""), lesson 05\'s settings, and delete its "address": Sentinel names the primary.',
            'Add "sentinels" (the pairs) and "master_name"; channels-redis then builds a SentinelConnectionPool.',
        ),
    ),
    Exercise(
        "15.2",
        "robust_broadcast",
        "Saving must not fail because the channel layer is down",
        (
            "Run the check: the save fails with AttributeError, raised while Django logs the failed broadcast.",
            "Django 5.2's log line reads func.__qualname__; functools.partial has none. A def or a lambda has one.",
            "Keep transaction.on_commit(..., robust=True): the post must still go out only after COMMIT.",
        ),
        kind="fix",
        upstream="https://github.com/django/django/pull/19609",
    ),
)


def get_exercise(exercise_id: str) -> Exercise | None:
    return next((exercise for exercise in EXERCISES if exercise.id == exercise_id), None)


# The sha256 of every starter as shipped: "not started" means the file still has it.
# tests/test_exercises.py fails when a shipped starter and this file disagree.
DIGESTS_PATH = EXERCISES_DIR / "starters.json"


def pristine_digests() -> dict[str, str]:
    return json.loads(DIGESTS_PATH.read_text(encoding="utf-8"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_target(exercise_id: str) -> ModuleType:
    """The module a check drives, chosen by EXERCISE_TARGET.

    Unset or "starter": the student's own file; "solution": the reference
    solution; "wrong/<module>": one classic wrong solution kept in
    exercises/wrong/ (e.g. "wrong/ex04_2_presence__never_leaves_the_group"),
    which the check must reject. Several "wrong/..." separated by commas let
    one pytest run drive many checks, each at the wrong solution of its own
    exercise (tests/test_exercises_kit_slow.py).
    """
    exercise = get_exercise(exercise_id)
    chosen = os.environ.get(TARGET_VARIABLE) or "starter"
    if chosen == "solution":
        return importlib.import_module(f"exercises.solutions.{exercise.module_name}")
    if chosen.startswith("wrong/"):
        stems = [part.strip().removeprefix("wrong/") for part in chosen.split(",")]
        mine = [stem for stem in stems if stem.startswith(f"{exercise.module_name}__")]
        if not mine:
            raise LookupError(f"{TARGET_VARIABLE}={chosen} names no wrong solution of exercise {exercise_id}")
        return importlib.import_module(f"exercises.wrong.{mine[0]}")
    if exercise.starter_path == exercise.shipped_starter_path:
        return importlib.import_module(f"exercises.{exercise.module_name}")
    return import_file(exercise.module_name, exercise.starter_path)


def import_file(name: str, path: Path) -> ModuleType:
    """Import the module at `path` as `name` (a student's file kept outside exercises/), afresh."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
