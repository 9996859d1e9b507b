"""HTTP routes of layers_demo, included under /layers/ by lessons/urls.py."""

from django.urls import path

from layers_demo import views

urlpatterns = [
    path("announce/", views.announce_view, name="announce"),
]
