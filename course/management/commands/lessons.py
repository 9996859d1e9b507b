"""`python manage.py lessons`: print the lesson table from the catalogue."""

from django.core.management.base import BaseCommand

from course.catalogue import LESSONS


class Command(BaseCommand):
    help = "Print every lesson: number, title, app, its files, routes (WebSocket and HTTP) and test command."

    def handle(self, *args, **options):
        for lesson in LESSONS:
            routes = ", ".join(route.label for route in lesson.routes) or "-"
            self.stdout.write(f"{lesson.number}  {lesson.title}")
            self.stdout.write(f"    app:    {lesson.app}")
            self.stdout.write(f"    files:  {', '.join(lesson.files) or '-'}")
            self.stdout.write(f"    routes: {routes}")
            self.stdout.write(f"    page:   {lesson.page_url}")
            self.stdout.write(f"    tests:  {lesson.test_command}")
