"""The inspector: what the server did with each of a lesson page's connections.

One more lesson in ASGI middleware, development only (settings.INSPECTOR_ENABLED:
on under DEBUG, off in lessons/settings_production.py and in tests). lessons/asgi.py
hands its one `application` to `inspected()`, which returns it wrapped; the
application and its consumers stay exactly as they are. Three hooks:

    Recorder        ASGI middleware outside the whole application: the scope Daphne
                    built, every event the application receives and sends, how it ended
    ScopeProbe      ASGI middleware just above each URLRouter, on a copy of the path
                    down to it: what the middleware stack added (origin accepted,
                    user, session) and the consumer the router picks
    recording_layer the CHANNEL_LAYERS backend: each channel-layer call a consumer
                    makes, and each layer message delivered to it (a consumer reads
                    those with self.channel_layer.receive, never through ASGI receive)

A page opens every socket with `?inspect=<its page id>`; the Recorder removes that
parameter before anything else sees the scope, and only such connections are
recorded. InspectorConsumer (ws/inspector/<page id>/, behind the same origin check)
streams a page its own connections' events: the id is random per page load, so a
student never sees another's. Payloads are shortened and secrets (passwords,
tokens, session keys, cookies) never recorded, in any shape (course/redaction.py,
lesson 16's reading). Everything is bounded: events per connection,
connections per page, pages per process; the oldest go first, counted.
Lesson pages draw the events as a sequence diagram (course/static/course/inspector.js);
`python manage.py diagrams` writes the lesson texts' diagrams from the same records.
"""

import asyncio
import contextvars
import copy
import json
import re
import time
from collections import OrderedDict, deque
from typing import Any

from channels.consumer import AsyncConsumer
from channels.exceptions import StopConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import re_path
from django.utils.module_loading import import_string

from course.redaction import REDACTED, describe, headers, secret_name, shorten, subprotocols
from lessons.origins import SiteOriginValidator

LANES = ("browser", "daphne", "middleware", "consumer", "layer")  # the sequence diagrams' columns
INSPECTOR_PATH = re.compile(r"^/?ws/inspector/")  # the panel's own socket, never recorded
PAGE_ID = re.compile(rb"(?:^|&)inspect=([A-Za-z0-9_-]{16,64})(?:&|$)")
CONNECTION_EVENTS = 150  # per connection: a flood keeps its newest events
PAGE_CONNECTIONS = 12  # per page: the oldest connection's events go first
PAGES = 64  # per process: the least recently used page goes first
LISTENER_EVENTS = 300  # queued for one inspector socket between two sends
SEND_EVERY = 0.1  # seconds: an inspector socket gets at most ten frames a second

# The connection being handled in this task; the layer hook reads it (asyncio
# copies context into the tasks a consumer starts, and asgiref into its threads).
current: contextvars.ContextVar["Connection | None"] = contextvars.ContextVar("inspected_connection", default=None)
inside_layer: contextvars.ContextVar[bool] = contextvars.ContextVar("inside_a_recorded_layer_call", default=False)


# --- where it is kept: bounded, per page --------------------------------------


class Listener:
    """One inspector socket's queue: the newest LISTENER_EVENTS events, and how many it missed."""

    def __init__(self) -> None:
        self.events: deque[dict] = deque(maxlen=LISTENER_EVENTS)
        self.dropped = 0
        self.ready = asyncio.Event()

    def put(self, event: dict) -> None:
        if len(self.events) == self.events.maxlen:
            self.dropped += 1
        self.events.append(event)
        self.ready.set()


class Connection:
    """One recorded connection: its events, oldest dropped past CONNECTION_EVENTS."""

    def __init__(self, id: int, page: "Page") -> None:
        self.id, self.page = id, page
        self.start = time.monotonic()
        self.events: deque[dict] = deque(maxlen=CONNECTION_EVENTS)
        self.dropped = 0
        self.consumer = ""
        self.channel_name = ""
        self.reached_consumer = False  # False while the middleware is still deciding
        self.accepted = False
        self.last_received = ""

    @property
    def app_lane(self) -> str:
        return "consumer" if self.reached_consumer else "middleware"

    def record(self, source: str, target: str, label: str, detail: Any = None) -> None:
        event = {
            "connection": self.id,
            "t": round((time.monotonic() - self.start) * 1000, 1),  # ms since the connection began
            "from": source,
            "to": target,
            "label": label,
            "consumer": self.consumer,
            "channel_name": self.channel_name,
            "detail": detail,
        }
        if len(self.events) == self.events.maxlen:
            self.dropped += 1
        self.events.append(event)
        for listener in self.page.listeners:
            listener.put(event)

    def dropped_note(self) -> dict:
        note = f"{self.dropped} older events of this connection were dropped"
        return {"connection": self.id, "t": 0, "from": "daphne", "to": "daphne", "label": note, "detail": None}


class Page:
    """The recorded connections of one page load, and the inspector sockets listening to it."""

    def __init__(self) -> None:
        self.connections: OrderedDict[int, Connection] = OrderedDict()
        self.listeners: set[Listener] = set()
        self.dropped_connections = 0


class Store:
    """Every page's records in this process (each Daphne process keeps its own)."""

    def __init__(self) -> None:
        self.pages: OrderedDict[str, Page] = OrderedDict()
        self.next_id = 1

    def page(self, page_id: str) -> Page:
        page = self.pages.get(page_id) or Page()
        self.pages[page_id] = page
        self.pages.move_to_end(page_id)
        if len(self.pages) > PAGES:
            # The least recently used page that no inspector socket is listening to.
            idle = next((key for key, old in self.pages.items() if not old.listeners), None)
            self.pages.pop(idle) if idle is not None else self.pages.popitem(last=False)
        return page

    def connection(self, page_id: str) -> Connection:
        page = self.page(page_id)
        connection = Connection(self.next_id, page)
        self.next_id += 1
        page.connections[connection.id] = connection
        while len(page.connections) > PAGE_CONNECTIONS:
            page.connections.popitem(last=False)
            page.dropped_connections += 1
        return connection

    def listen(self, page_id: str) -> Listener:
        """Subscribe to a page: first what it recorded so far, then each event as it happens."""
        page, listener = self.page(page_id), Listener()
        for connection in page.connections.values():
            if connection.dropped:
                listener.put(connection.dropped_note())
            for event in connection.events:
                listener.put(event)
        page.listeners.add(listener)
        return listener

    def events(self, page_id: str) -> list[dict]:
        """Every event this page has kept, connection by connection."""
        page = self.pages.get(page_id)
        return [event for connection in page.connections.values() for event in connection.events] if page else []

    def unlisten(self, page_id: str, listener: Listener) -> None:
        page = self.pages.get(page_id)
        if page is not None:
            page.listeners.discard(listener)


STORE = Store()


# --- the three hooks -----------------------------------------------------------


def inspected(application):
    """`application` with the inspector's hooks: the Recorder around it, a ScopeProbe above each router.

    The application passed in is not changed: the probes go into shallow copies
    of the objects on the way down to each URLRouter.
    """
    return Recorder(probed(application), inspector_sockets=SiteOriginValidator(URLRouter(websocket_urlpatterns)))


def probed(app):
    """A copy of `app` with a ScopeProbe just above every URLRouter it holds."""
    if isinstance(app, URLRouter):
        return ScopeProbe(app)
    if isinstance(app, ProtocolTypeRouter):
        copied = copy.copy(app)
        copied.application_mapping = {kind: probed(inner) for kind, inner in app.application_mapping.items()}
        return copied
    # Channels' middleware keeps the application it wraps as .inner (BaseMiddleware, the
    # cookie and session middleware) or .application (the origin validator).
    for attribute in ("inner", "application"):
        if hasattr(app, attribute):
            copied = copy.copy(app)
            setattr(copied, attribute, probed(getattr(app, attribute)))
            return copied
    return app


class Recorder:
    """ASGI middleware around the whole application: records connections opened with ?inspect=<page id>.

    It also answers the panel's own socket, ws/inspector/<page id>/, with `inspector_sockets`.
    """

    def __init__(self, app, inspector_sockets=None):
        self.app = app
        self.inspector_sockets = inspector_sockets

    async def __call__(self, scope, receive, send):
        if self.inspector_sockets and scope["type"] == "websocket" and INSPECTOR_PATH.match(scope["path"]):
            return await self.inspector_sockets(scope, receive, send)
        match = PAGE_ID.search(scope.get("query_string", b""))
        if scope["type"] not in {"websocket", "http"} or match is None:
            return await self.app(scope, receive, send)
        # Nobody below sees the parameter: the consumer gets the scope it would get without us.
        query = b"&".join(part for part in scope["query_string"].split(b"&") if not part.startswith(b"inspect="))
        scope = dict(scope, query_string=query)
        connection = STORE.connection(match.group(1).decode())
        current.set(connection)
        opening = "WebSocket handshake" if scope["type"] == "websocket" else scope.get("method", "GET")
        connection.record("browser", "daphne", f"{opening} {scope['path']}", describe_scope(scope))
        connection.record("daphne", "middleware", "scope", None)

        async def recorded_receive():
            event = await receive()
            connection.last_received = event["type"]
            if event["type"] == "websocket.receive":
                connection.record("browser", "daphne", "frame", None)
            connection.record("daphne", connection.app_lane, event["type"], describe(event))
            return event

        async def recorded_send(event):
            connection.record(connection.app_lane, "daphne", event["type"], describe(event))
            await send(event)
            if event["type"] == "websocket.accept":
                connection.accepted = True  # a close from now on is a close frame, not a refused handshake
            answer = browser_answer(event, connection.accepted)
            if answer is not None:
                connection.record("daphne", "browser", answer)

        try:
            await self.app(scope, recorded_receive, recorded_send)
        except asyncio.CancelledError:
            connection.record("daphne", connection.app_lane, "cancelled by Daphne (the client left)")
            raise
        except Exception as error:
            connection.record(
                connection.app_lane,
                "daphne",
                f"{type(error).__name__} raised: Daphne {'closes with 1011' if scope['type'] == 'websocket' else 'answers 500'}",
                {"exception": shorten(str(error))},
            )
            raise
        else:
            stop = "StopConsumer: the instance ends" if connection.last_received.endswith("disconnect") else "returned"
            connection.record(connection.app_lane, connection.app_lane, stop)


def browser_answer(event: dict, accepted: bool) -> str | None:
    """What the browser sees when the application sends `event` (None: nothing it would see)."""
    kind = event["type"]
    if kind == "websocket.accept":
        return "HTTP 101: WebSocket open"
    if kind == "websocket.send":
        return "frame"
    if kind == "websocket.close":
        return f"close frame, code {event.get('code', 1000)}" if accepted else "HTTP 403: handshake refused"
    if kind == "http.response.start":
        return f"HTTP {event.get('status')}"
    return None


def describe_scope(scope: dict) -> dict:
    """What Daphne put in the scope, as recorded (cookie values and credentials left out)."""
    keys = ("type", "path", "query_string", "method", "client", "subprotocols")
    described = {key: shorten(scope[key]) for key in keys if key in scope}
    if "query_string" in scope:
        query = scope["query_string"].decode("latin-1")
        described["query_string"] = "&".join(
            f"{part.split('=', 1)[0]}={REDACTED}" if secret_name(part.split("=", 1)[0]) else part
            for part in query.split("&")
            if part
        )
    if "subprotocols" in scope:
        described["subprotocols"] = subprotocols(scope["subprotocols"])
    described["headers"] = headers(scope.get("headers", []))
    return described


class ScopeProbe:
    """ASGI middleware just above the router: the middleware let this connection through."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        connection = current.get()
        if connection is not None:
            connection.consumer = consumer_name(self.app, scope)
            connection.reached_consumer = True
            added = describe_middleware(scope)
            summary = ", ".join(f"{key}: {value}" for key, value in added.items())
            connection.record(
                "middleware", "consumer", f"scope + {summary}" if added else "scope (nothing added)", added
            )
        return await self.app(scope, receive, send)


def describe_middleware(scope: dict) -> dict:
    """What the middleware stack added: the user and whether there is a session, never its key."""
    added: dict[str, Any] = {"origin": "accepted"} if scope["type"] == "websocket" else {}
    if "user" in scope:
        user = scope["user"]
        added["user"] = user.get_username() if user.is_authenticated else "AnonymousUser"
    if "session" in scope:
        added["session"] = "present" if scope["session"].session_key else "none yet"
    return added


def consumer_name(router, scope: dict) -> str:
    """The class the router will pick for this path, found the way URLRouter finds it."""
    path = scope.get("path", "").lstrip("/")
    for route in getattr(router, "routes", []):
        if route.pattern.match(path):
            consumer = getattr(route.callback, "consumer_class", None)
            return consumer.__name__ if consumer else f"Django ({type(route.callback).__name__})"
    return "(no route)"


def recording_layer(backend: str, **config):
    """The CHANNEL_LAYERS backend hook: the real layer, its consumer-facing methods recorded.

    The layer keeps its own class; only its instance's methods are wrapped, and a
    call made outside an inspected connection (a view, a worker, a command) passes
    straight through.
    """
    layer = import_string(backend)(**config)
    new_channel, receive = layer.new_channel, layer.receive

    async def recorded_new_channel(*args, **kwargs):
        name = await new_channel(*args, **kwargs)
        connection = current.get()
        if connection is not None:
            connection.channel_name = name
            connection.record("consumer", "layer", "new_channel()", {"channel_name": name})
        return name

    async def recorded_receive(channel):
        message = await receive(channel)
        connection = current.get()
        if connection is not None:
            handler = str(message.get("type", "")).replace(".", "_")  # as channels.consumer.get_handler_name
            connection.record("layer", "consumer", f"{message.get('type')} → {handler}()", shorten(message))
        return message

    def recorded(name: str, method):
        async def call(target, *args):
            connection = current.get()
            # A layer calling itself (the in-memory group_send calls send per member) is not the consumer's call.
            if connection is None or inside_layer.get():
                return await method(target, *args)
            detail = (
                {"target": target, "message": shorten(args[0])}
                if name.endswith("send")
                else {"group": target, "channel": args[0]}
            )
            shown = target if len(target) <= 28 else f"{target[:12]}…{target[-12:]}"
            connection.record("consumer", "layer", f"{name}({shown!r})", detail)
            token = inside_layer.set(True)
            try:
                return await method(target, *args)
            finally:
                inside_layer.reset(token)

        return call

    layer.new_channel, layer.receive = recorded_new_channel, recorded_receive
    for name in ("send", "group_add", "group_discard", "group_send"):
        setattr(layer, name, recorded(name, getattr(layer, name)))
    return layer


def recording_layers(layers: dict) -> dict:
    """A CHANNEL_LAYERS setting with each layer wrapped by recording_layer."""
    return {
        alias: {
            "BACKEND": "course.inspector.recording_layer",
            "CONFIG": {"backend": entry["BACKEND"], **entry.get("CONFIG", {})},
        }
        for alias, entry in layers.items()
    }


# --- delivery to the page ------------------------------------------------------


class InspectorConsumer(AsyncConsumer):
    """Streams one page's recorded events to it, at most ten frames a second.

    websocket.connect    -> websocket.accept, then what the page recorded so far
    (each SEND_EVERY)    -> websocket.send {"events": [...], "dropped": n}
    websocket.receive    -> ignored: the page only listens
    websocket.disconnect -> StopConsumer
    """

    async def websocket_connect(self, event):
        """Called when the page opens its inspector socket."""
        self.listener = STORE.listen(self.scope["url_route"]["kwargs"]["page"])
        await self.send({"type": "websocket.accept"})
        self.streaming = asyncio.create_task(self.stream())

    async def stream(self):
        while True:
            await self.listener.ready.wait()
            self.listener.ready.clear()
            events, dropped = list(self.listener.events), self.listener.dropped
            self.listener.events.clear()
            self.listener.dropped = 0
            await self.send({"type": "websocket.send", "text": json.dumps({"events": events, "dropped": dropped})})
            await asyncio.sleep(SEND_EVERY)

    async def websocket_receive(self, event):
        """Called for each frame the page sends: there is nothing to ask."""

    async def websocket_disconnect(self, event):
        """Called when the page goes: stop streaming and stop listening."""
        self.streaming.cancel()
        STORE.unlisten(self.scope["url_route"]["kwargs"]["page"], self.listener)
        raise StopConsumer()


websocket_urlpatterns = [re_path(r"^ws/inspector/(?P<page>[A-Za-z0-9_-]{16,64})/$", InspectorConsumer.as_asgi())]
