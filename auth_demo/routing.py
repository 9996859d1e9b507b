"""WebSocket routes of auth_demo (composed by lessons/routing.py)."""

from django.urls import path

from auth_demo.consumers import WhoAmIConsumer
from auth_demo.socket_login import SocketLoginConsumer
from auth_demo.token_login import TokenLoginConsumer

websocket_urlpatterns = [
    path("ws/auth/whoami/", WhoAmIConsumer.as_asgi()),
    path("ws/auth/login/", SocketLoginConsumer.as_asgi()),
    path("ws/auth/token/", TokenLoginConsumer.as_asgi()),
]
