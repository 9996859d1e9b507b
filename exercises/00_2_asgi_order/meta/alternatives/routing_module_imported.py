# The routing module imported whole (from db_demo import routing) after get_asgi_application(), the channels imports left at the top where they are harmless.
"""Alternative 00.2: only the import that reaches a model moves below the setup.

channels.auth and channels.routing import no model of the project, so they
may stay at the top; db_demo.routing imports consumers, which import models,
so it comes after get_asgi_application().
"""

import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
django_asgi_app = get_asgi_application()

from db_demo import routing  # noqa: E402  (imports consumers, which import models)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AuthMiddlewareStack(URLRouter(routing.websocket_urlpatterns)),
    }
)
