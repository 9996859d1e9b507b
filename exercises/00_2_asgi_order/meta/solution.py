"""Solution 00.2: settings first, then get_asgi_application(), then everything that may import a model.

Why: importing a consumer imports its models, and a model can only be
defined once Django's app registry is loaded. get_asgi_application() calls
django.setup(), which loads it, and django.setup() needs the settings
module. So: set DJANGO_SETTINGS_MODULE, call get_asgi_application() and
keep its result, and only then import routing, consumers and the auth
middleware (lessons/asgi.py does the same; isort and ruff would move these
imports back up, hence `# noqa: E402`).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
# Set up Django (settings, apps, models) before anything imports a consumer or a model.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from db_demo.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
