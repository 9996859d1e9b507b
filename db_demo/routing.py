"""WebSocket routes of db_demo (composed by lessons/routing.py)."""

websocket_urlpatterns: list = []
