"""The root ASGI application: one router for every kind of connection.

    http      -> Django's ASGI handler (views, admin, the lesson pages)
    websocket -> origin check -> session/user -> URLRouter -> one consumer per socket
    channel   -> ChannelNameRouter -> worker consumers (`manage.py runworker`)

Serve it with `daphne lessons.asgi:application` or `python manage.py runserver`.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
# Set up Django (apps, models) before anything imports a consumer or a model.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ChannelNameRouter, ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from lessons.routing import websocket_urlpatterns, worker_channels  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        "channel": ChannelNameRouter(worker_channels),
    }
)
