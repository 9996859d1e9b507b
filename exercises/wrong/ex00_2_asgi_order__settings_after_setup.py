"""Wrong: get_asgi_application() needs the settings: DJANGO_SETTINGS_MODULE must be set before it is called.

Called first, it stops with ImproperlyConfigured: "Requested setting ...,
but settings are not configured".

The check says: "a fresh process cannot import it"
"""

import os

from django.core.asgi import get_asgi_application

# Set up Django (settings, apps, models) before anything imports a consumer or a model.
django_asgi_app = get_asgi_application()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from db_demo.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
