"""Wrong: the routes must be imported after the app registry is loaded, not silenced when it is not.

Catching AppRegistryNotReady makes the file import, with no routes at all:
every socket then fails with "No route found for path".

The check says: "lesson 08's room route is gone (routes: []): every socket would"
"""

import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application
from django.core.exceptions import AppRegistryNotReady

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")

try:
    from db_demo.routing import websocket_urlpatterns
except AppRegistryNotReady:
    websocket_urlpatterns = []

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
