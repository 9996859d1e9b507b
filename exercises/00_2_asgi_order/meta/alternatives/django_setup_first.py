# django.setup() called by hand before any import that reaches a model: the app registry is ready, as get_asgi_application() makes it.
"""Alternative 00.2: settings, then django.setup() by hand, then the imports; get_asgi_application() where it is used.

django.setup() is what get_asgi_application() calls first; called once
before routing, consumers and the auth middleware are imported, it loads
the app registry they need. get_asgi_application() then finds Django set up
and only builds the HTTP handler (setting up twice does nothing more).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
django.setup()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

from db_demo.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
