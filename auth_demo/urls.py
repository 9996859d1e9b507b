"""HTTP routes of auth_demo, included under /accounts/ by lessons/urls.py (next to Django's login and logout).

Ahead of Django's own: its password reset, with a form that answers alike for every address (lesson 16).
"""

from django.urls import path

from auth_demo import views
from auth_demo.password_reset import password_reset

urlpatterns = [
    path("socket-login/", views.socket_login_handoff, name="socket-login"),
    path("token/", views.token_for_browser, name="token"),
    path("password_reset/", password_reset, name="password_reset"),
]
