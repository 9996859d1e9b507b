"""The course's pages: the index, each lesson beside its live client, the files a lesson lists, and the icon."""

from django.urls import path

from course import views

urlpatterns = [
    path("", views.index, name="index"),
    path("lessons/<str:number>/", views.lesson_page, name="lesson"),
    path("lessons/<str:number>/files/<path:name>", views.lesson_file, name="lesson-file"),
    path("favicon.ico", views.favicon, name="favicon"),
]
