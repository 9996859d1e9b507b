"""Every app's WebSocket routes in one list, plus a catch-all that refuses; every app's HTTP consumers in another.

lessons/asgi.py wraps the WebSocket list in the origin check and the auth
middleware, and puts the HTTP list ahead of Django's views; the lesson pages
use both to tell which lesson routes exist.
"""

from django.urls import re_path

import async_demo.routing
import auth_demo.routing
import db_demo.routing
import http_demo.routing
import layers_demo.routing
import sync_demo.routing
from lessons.consumers import UnknownPathConsumer

app_urlpatterns = [
    *sync_demo.routing.websocket_urlpatterns,
    *async_demo.routing.websocket_urlpatterns,
    *layers_demo.routing.websocket_urlpatterns,
    *auth_demo.routing.websocket_urlpatterns,
    *db_demo.routing.websocket_urlpatterns,
]

# Last, so it only sees paths that no app claimed.
websocket_urlpatterns = [*app_urlpatterns, re_path(r"", UnknownPathConsumer.as_asgi())]

# HTTP requests these consumers do not claim go on to Django's views (lessons/asgi.py).
http_urlpatterns = [
    *http_demo.routing.http_urlpatterns,
    *db_demo.routing.http_urlpatterns,
]

worker_channels = layers_demo.routing.worker_channels


def route_exists(path: str) -> bool:
    """True when an app (not a catch-all) routes this path, e.g. "ws/chat/lobby/" or "liveblog/events/"."""
    path = path.split("?", 1)[0].lstrip("/")
    return any(pattern.pattern.match(path) for pattern in [*app_urlpatterns, *http_urlpatterns])
