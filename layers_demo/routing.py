"""WebSocket routes of layers_demo (composed by lessons/routing.py)."""

websocket_urlpatterns: list = []

# Channel names served by `python manage.py runworker <name>` (lesson 06).
worker_channels: dict = {}
