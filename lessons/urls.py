"""HTTP routes: the course pages, the admin, and each app's views."""

from django.contrib import admin
from django.urls import include, path

from lessons import views

urlpatterns = [
    path("", views.index, name="index"),
    path("lessons/<str:number>/", views.lesson_page, name="lesson"),
    path("lessons/<str:number>/files/<path:name>", views.lesson_file, name="lesson-file"),
    path("accounts/", include("auth_demo.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("layers/", include("layers_demo.urls")),
    path("admin/", admin.site.urls),
]
