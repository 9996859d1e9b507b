"""The students' own consumers, live: ws/exercises/<NN>-<K>/ in development (DEBUG) only.

course/development.py mounts them around lessons/asgi.py's application, behind
the same origin check and auth middleware as every lesson route, so the
lessons' own router never names the kit.

Each route imports the student's starter module when its first socket opens;
Python then keeps the module (sys.modules), so later sockets get the same code.
An edit shows because runserver's autoreloader restarts the server when a
loaded module's file changes: connect again once it has. A starter that does
not import yet is not kept, so every socket tries again, and gets
{"error": ...} and close code 4503 (one log line), never a broken course server.
"""

import inspect
import json
import logging

from channels.auth import AuthMiddlewareStack
from channels.consumer import AsyncConsumer, SyncConsumer
from channels.routing import URLRouter
from django.conf import settings
from django.urls import path

from course.kit.registry import EXERCISES, Exercise
from exercises.targets import target
from lessons.origins import SiteOriginValidator

logger = logging.getLogger(__name__)


def student_consumer(module) -> type:
    """The consumer class the starter module defines (the one a check drives)."""
    for _, value in inspect.getmembers(module, inspect.isclass):
        if value.__module__ == module.__name__ and issubclass(value, AsyncConsumer | SyncConsumer):
            return value
    raise LookupError(f"{module.__name__} defines no consumer class")


class StudentConsumer:
    """An ASGI application serving one exercise's starter: imported on the first socket, then kept."""

    def __init__(self, exercise: Exercise):
        self.exercise = exercise

    def load(self) -> type:
        """The student's consumer class, from the module Python already holds, else from their file."""
        return student_consumer(target(self.exercise.id))

    async def __call__(self, scope, receive, send):
        try:
            consumer = self.load()
        except Exception as error:  # a student's file may raise anything at import
            logger.warning("exercise %s: %s: %s", self.exercise.id, self.exercise.starter_path.name, error)
            if (await receive())["type"] == "websocket.connect":
                reason = f"{self.exercise.starter_path.name} does not import yet: {error}"
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.send", "text": json.dumps({"error": reason})})
                await send({"type": "websocket.close", "code": 4503})
            return
        await consumer.as_asgi()(scope, receive, send)


def websocket_urlpatterns() -> list:
    """One route per exercise with a WebSocket route, when DEBUG is on; none in production."""
    if not settings.DEBUG:
        return []
    patterns = []
    for exercise in EXERCISES:
        if exercise.route and exercise.route.startswith("ws/"):
            route = exercise.route.split("?", 1)[0]
            if exercise.lesson == "08":  # the database exercises take a room, like lesson 08's chat
                route = route.rsplit("/", 2)[0] + "/<str:room>/"
            patterns.append(path(route, StudentConsumer(exercise)))
    return patterns


class WithExerciseRoutes:
    """ASGI middleware: sockets to ws/exercises/ go to the students' consumers, everything else to `inner`."""

    def __init__(self, inner):
        self.inner = inner  # named as Channels' middleware names it, so the inspector can look inside
        self.exercises = SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns())))

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and scope["path"].lstrip("/").startswith("ws/exercises/"):
            return await self.exercises(scope, receive, send)
        return await self.inner(scope, receive, send)
