"""Every app's WebSocket routes in one list, plus a catch-all that refuses; every app's HTTP consumers in another.

lessons/asgi.py wraps the WebSocket list in the origin check and the auth
middleware, and puts the HTTP list ahead of Django's views; the lesson pages
use both to tell which lesson routes this server serves. Each app's hazard demos
(`hazard_urlpatterns`) are routed only while settings.SERVE_HAZARD_DEMOS is on;
off (production), the catch-all refuses their paths. Lesson 13 lists every route.
"""

from django.conf import settings
from django.urls import re_path

import async_demo.routing
import auth_demo.routing
import db_demo.routing
import http_demo.routing
import layers_demo.routing
import sync_demo.routing
import tasks_demo.routing
import workshop.routing
from lessons.consumers import UnknownPathConsumer

safe_urlpatterns = [
    *sync_demo.routing.websocket_urlpatterns,
    *async_demo.routing.websocket_urlpatterns,
    *layers_demo.routing.websocket_urlpatterns,
    *auth_demo.routing.websocket_urlpatterns,
    *db_demo.routing.websocket_urlpatterns,
    *workshop.routing.websocket_urlpatterns,
    *tasks_demo.routing.websocket_urlpatterns,
]
hazard_urlpatterns = [
    *sync_demo.routing.hazard_urlpatterns,
    *async_demo.routing.hazard_urlpatterns,
    *layers_demo.routing.hazard_urlpatterns,
]

# What this server routes: production (SERVE_HAZARD_DEMOS off) serves the safe routes alone.
app_urlpatterns = [*safe_urlpatterns, *(hazard_urlpatterns if settings.SERVE_HAZARD_DEMOS else [])]

# Last, so it only sees paths that no app claimed.
websocket_urlpatterns = [*app_urlpatterns, re_path(r"", UnknownPathConsumer.as_asgi())]

# HTTP requests these consumers do not claim go on to Django's views (lessons/asgi.py).
http_urlpatterns = [
    *http_demo.routing.http_urlpatterns,
    *db_demo.routing.http_urlpatterns,
]

worker_channels = layers_demo.routing.worker_channels


def route_exists(path: str, patterns: list | None = None) -> bool:
    """True when an app (not a catch-all) routes this path, e.g. "ws/chat/lobby/" or "liveblog/events/"."""
    path = path.split("?", 1)[0].lstrip("/")
    return any(pattern.pattern.match(path) for pattern in patterns or [*app_urlpatterns, *http_urlpatterns])
