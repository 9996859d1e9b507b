"""WebSocket routes of sync_demo (composed by lessons/routing.py).

`as_asgi()` turns a consumer class into an ASGI application that builds a new
instance for every connection. Routing the class itself is the classic mistake.
"""

from django.urls import path

from sync_demo import consumers, generic_consumers, slow

websocket_urlpatterns = [
    path("ws/sync/echo/", consumers.EchoConsumer.as_asgi()),
    path("ws/sync/refuse/", consumers.RefuseConsumer.as_asgi()),
    path("ws/sync/close/", consumers.CloseConsumer.as_asgi()),
    path("ws/sync/generic-echo/", generic_consumers.GenericEchoConsumer.as_asgi()),
]

# Demos of a hazard, routed only in development (settings.SERVE_HAZARD_DEMOS): the scope
# echo sends the Cookie header back to the page, and the slow route lets any client hold
# the process's one sync thread.
hazard_urlpatterns = [
    path("ws/sync/scope/<str:name>/", consumers.ScopeConsumer.as_asgi()),
    path("ws/sync/slow/", slow.SlowConsumer.as_asgi()),
]
