"""WebSocket and HTTP routes of db_demo (composed by lessons/routing.py)."""

from django.urls import re_path

from db_demo.consumers import RoomHistoryConsumer
from db_demo.events import LiveblogEventsConsumer
from db_demo.liveblog import LiveblogConsumer

websocket_urlpatterns = [
    # Any one path segment: the consumer checks the name and refuses bad ones (HTTP 403).
    re_path(r"^ws/db/room/(?P<room>[^/]+)/$", RoomHistoryConsumer.as_asgi()),
    re_path(r"^ws/liveblog/$", LiveblogConsumer.as_asgi()),
]

# HTTP routes: the liveblog as server-sent events (lesson 10).
http_urlpatterns = [
    re_path(r"^liveblog/events/$", LiveblogEventsConsumer.as_asgi()),
]
