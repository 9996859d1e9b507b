"""WebSocket routes of sync_demo (composed by lessons/routing.py)."""

websocket_urlpatterns: list = []
