"""WebSocket routes of auth_demo (composed by lessons/routing.py)."""

websocket_urlpatterns: list = []
