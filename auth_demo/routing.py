"""WebSocket routes of auth_demo (composed by lessons/routing.py)."""

from django.urls import path

from auth_demo.consumers import WhoAmIConsumer
from auth_demo.middleware import QueryStringTokenAuthMiddleware, SubprotocolTokenAuthMiddleware
from auth_demo.socket_login import SocketLoginConsumer
from auth_demo.token_login import TokenLoginConsumer
from auth_demo.token_protocol import BearerWhoAmIConsumer

websocket_urlpatterns = [
    path("ws/auth/whoami/", WhoAmIConsumer.as_asgi()),
    path("ws/auth/login/", SocketLoginConsumer.as_asgi()),
    path("ws/auth/token/", TokenLoginConsumer.as_asgi()),
    # Lesson 11's two other ways in, each behind its own middleware; the
    # middleware's user replaces the one AuthMiddlewareStack put in the scope.
    path("ws/auth/token-query/", QueryStringTokenAuthMiddleware(WhoAmIConsumer.as_asgi())),
    path("ws/auth/token-protocol/", SubprotocolTokenAuthMiddleware(BearerWhoAmIConsumer.as_asgi())),
]
