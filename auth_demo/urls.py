"""HTTP routes of auth_demo, included under /accounts/ by lessons/urls.py (next to Django's login and logout)."""

from django.urls import path

from auth_demo import views

urlpatterns = [
    path("socket-login/", views.socket_login_handoff, name="socket-login"),
    path("token/", views.token_for_browser, name="token"),
]
