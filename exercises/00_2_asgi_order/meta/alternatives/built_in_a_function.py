# The application built by a function whose imports run only when it is called, after get_asgi_application(): no import of a model at the top of the file.
"""Alternative 00.2: imports that reach a model live inside the function that builds the application.

The function runs once, at the bottom of the file, after Django is set up;
imports inside a function run when it is called, not when the file is read.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
django_asgi_app = get_asgi_application()


def build_application():
    """Called once Django is set up: only now may routing, consumers and the auth middleware be imported."""
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter

    from db_demo.routing import websocket_urlpatterns

    return ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
        }
    )


application = build_application()
