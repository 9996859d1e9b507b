"""HTTP routes of the workshop room (lesson 17), included under /workshop/ by lessons/urls.py."""

from django.urls import path

from workshop import join, leave, views

urlpatterns = [
    path("", views.room_page, name="workshop-room"),
    path("room.json", views.room_json, name="workshop-room-json"),
    path("join/", join.join, name="workshop-join"),
    path("leave/", leave.leave, name="workshop-leave"),
    path("shared/<str:name>/<str:exercise>/", views.shared_file, name="workshop-shared"),
]
