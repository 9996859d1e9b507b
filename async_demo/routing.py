"""WebSocket routes of async_demo (composed by lessons/routing.py).

`as_asgi()` turns a consumer class into an ASGI application that builds a new
instance for every connection. Routing the class itself is the classic mistake.
"""

from django.urls import path

from async_demo import consumers, generic_consumers, hop_free, slow

websocket_urlpatterns = [
    path("ws/async/echo/", consumers.EchoConsumer.as_asgi()),
    path("ws/async/ticker/", consumers.TickerConsumer.as_asgi()),
    path("ws/async/hop-free-echo/", hop_free.HopFreeEchoConsumer.as_asgi()),
    path("ws/async/json-echo/", generic_consumers.JsonEchoConsumer.as_asgi()),
]

# A demo, routed only in development (settings.SERVE_HAZARD_DEMOS): its client chooses
# how long the server works on each frame (up to 10 s), which no production route allows.
hazard_urlpatterns = [
    path("ws/async/slow/", slow.SlowConsumer.as_asgi()),
]
