"""HTTP routes: the course pages, the admin, and each app's views."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("course.urls")),
    path("accounts/", include("auth_demo.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("layers/", include("layers_demo.urls")),
    path("workshop/", include("workshop.urls")),
    path("admin/", admin.site.urls),
]
