"""Every exercise of the kit: its id, title, files, live route and hints (read by `manage.py exercise`)."""

import hashlib
import importlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

EXERCISES_DIR = Path(__file__).resolve().parent
# Which module a check drives: the student's starter (default) or the reference solution (CI).
TARGET_VARIABLE = "EXERCISE_TARGET"


@dataclass(frozen=True)
class Exercise:
    id: str  # "NN.K": lesson NN, exercise K
    slug: str
    title: str
    hints: tuple[str, ...]
    route: str | None = None  # where the lesson page can poke the student's consumer in development

    @property
    def lesson(self) -> str:
        return self.id.split(".")[0]

    @property
    def module_name(self) -> str:
        number, k = self.id.split(".")
        return f"ex{number}_{k}_{self.slug}"

    @property
    def starter_path(self) -> Path:
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
        "04.1",
        "whisper",
        "Whisper to one socket in a chat room",
        (
            'On connect, join the group "exroom" and tell the client its address: {"you": self.channel_name}.',
            '{"message": m} goes to the whole group; {"to": address, "message": m} goes with channel_layer.send to that one channel.',
            'Both arrive as a "chat.message" layer message; its handler sends {"message": m} to the socket.',
        ),
        "ws/exercises/04-1/",
    ),
    Exercise(
        "04.2",
        "presence",
        "Tell the room who joins and who leaves",
        (
            'On connect: group_add, accept, then group_send {"type": "presence", "joined": <a name>}.',
            'On disconnect: group_send {"type": "presence", "left": <the name>} before group_discard.',
            "A handler named presence sends the event (minus its type) to the socket.",
        ),
        "ws/exercises/04-2/",
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
    """The module a check drives: the student's starter, or the solution when EXERCISE_TARGET=solution."""
    exercise = get_exercise(exercise_id)
    package = "exercises.solutions" if os.environ.get(TARGET_VARIABLE) == "solution" else "exercises"
    return importlib.import_module(f"{package}.{exercise.module_name}")
