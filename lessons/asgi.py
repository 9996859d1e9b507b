"""The root ASGI application: one router for every kind of connection.

    http      -> URLRouter: HTTP consumers (lesson 10), then Django's ASGI handler (views, admin, pages)
    websocket -> origin check -> session/user -> URLRouter -> one consumer per socket
    channel   -> ChannelNameRouter -> worker consumers (`manage.py runworker`)

Serve it with `daphne lessons.asgi:application` or `python manage.py runserver`.
"""

import os
import sys

from django.core.asgi import get_asgi_application
from django.urls import re_path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
# Set up Django (apps, models) before anything imports a consumer or a model.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ChannelNameRouter, ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from lessons.origins import SiteOriginValidator  # noqa: E402
from lessons.routing import http_urlpatterns, websocket_urlpatterns, worker_channels  # noqa: E402

application = ProtocolTypeRouter(
    {
        # First match wins: the consumers' paths first, then r"" (every path) to Django.
        # Django first would answer every path itself (its 404 included); no catch-all
        # at all would make URLRouter raise for every page it does not know.
        "http": URLRouter([*http_urlpatterns, re_path(r"", django_asgi_app)]),
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        "channel": ChannelNameRouter(worker_channels),
    }
)

# Lesson 16: under Daphne, a socket whose client never reads is closed with 4429 once it
# holds WEBSOCKET_UNREAD_LIMIT unread messages, or WEBSOCKET_UNREAD_BYTES of them (uvicorn's send
# waits for such a client).
if "daphne.server" in sys.modules:
    from lessons.slow_readers import limit_unread_messages

    limit_unread_messages()

# Development only, not part of the lesson: the students' exercise consumers, and the
# lesson pages' view of what the server did with their connections (course/development.py).
if settings.COURSE_DEVELOPMENT:
    from course.development import development

    application = development(application)
