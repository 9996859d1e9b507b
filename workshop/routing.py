"""WebSocket routes of the workshop room (composed by lessons/routing.py)."""

from django.urls import path

from workshop.staff_socket import StaffConsumer
from workshop.student_socket import StudentConsumer

websocket_urlpatterns = [
    path("ws/workshop/student/", StudentConsumer.as_asgi()),  # a student's laptop: a token first
    path("ws/workshop/room/", StaffConsumer.as_asgi()),  # the instructor's page: a staff session
]
