"""WebSocket routes of tasks_demo (composed by lessons/routing.py)."""

from django.urls import path

from tasks_demo.consumers import TasksConsumer

websocket_urlpatterns = [
    path("ws/tasks/", TasksConsumer.as_asgi()),
]
