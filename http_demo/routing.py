"""HTTP routes of http_demo (composed by lessons/routing.py, ahead of Django's views)."""

from channels.auth import AuthMiddlewareStack
from django.urls import path

from http_demo.consumers import RequestInfoConsumer
from http_demo.generic_consumers import GenericRequestInfoConsumer, PublishConsumer
from http_demo.longpoll import LongPollConsumer
from http_demo.ticker import TickerConsumer

http_urlpatterns = [
    path("http/raw/", RequestInfoConsumer.as_asgi()),
    path("http/generic/", GenericRequestInfoConsumer.as_asgi()),
    path("http/ticker/", TickerConsumer.as_asgi()),
    path("http/poll/", LongPollConsumer.as_asgi()),
    # The session's user in scope["user"], as for a socket (lesson 07): only a logged-in user may publish.
    path("http/publish/", AuthMiddlewareStack(PublishConsumer.as_asgi())),
]
