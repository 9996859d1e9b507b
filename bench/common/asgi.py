"""The benchmark's ASGI application: the course's root router plus the bare relay route.

Same Django set-up, same middleware (origin check, sessions, user) and the same
course routes as lessons/asgi.py, with one extra route in front of them:
`ws/bench/relay/<room>/` and `ws/bench/hop-free-relay/<room>/` -> bench/common/consumers.py. Serving both from one process
lets the benchmark compare the course's chat consumer with the bare relay on
the same server and layer. `ws/bench/layer-state/` answers with what this
process's channel layer holds (groups, per-channel queues), which only the
process itself can read: lesson 14's churn section (bench/scale/churn.py) asks
it after the course's chat sockets have come and gone. The course itself never
serves these routes.

    python -m daphne -b 127.0.0.1 -p 8001 bench.common.asgi:application
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from bench.common.consumers import BareRelayConsumer, HopFreeRelayConsumer, LayerStateConsumer  # noqa: E402
from lessons.asgi import django_asgi_app  # noqa: E402  (sets Django up first)
from lessons.origins import SiteOriginValidator  # noqa: E402
from lessons.routing import websocket_urlpatterns  # noqa: E402

bench_urlpatterns = [
    re_path(r"^ws/bench/relay/(?P<room>[A-Za-z0-9_-]{1,50})/$", BareRelayConsumer.as_asgi()),
    re_path(r"^ws/bench/hop-free-relay/(?P<room>[A-Za-z0-9_-]{1,50})/$", HopFreeRelayConsumer.as_asgi()),
    re_path(r"^ws/bench/layer-state/$", LayerStateConsumer.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The course's catch-all comes last in websocket_urlpatterns, so the relay route goes first.
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(bench_urlpatterns + websocket_urlpatterns))),
    }
)
