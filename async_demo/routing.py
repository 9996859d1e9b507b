"""WebSocket routes of async_demo (composed by lessons/routing.py)."""

websocket_urlpatterns: list = []
