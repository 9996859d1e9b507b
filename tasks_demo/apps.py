from django.apps import AppConfig


class TasksDemoConfig(AppConfig):
    name = "tasks_demo"
    verbose_name = "Lesson 18: background tasks"

    def ready(self):
        # Importing the module connects its task_finished receiver, in the server and in the worker.
        from tasks_demo import tasks  # noqa: F401
