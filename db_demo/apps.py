from django.apps import AppConfig


class DbDemoConfig(AppConfig):
    name = "db_demo"
    verbose_name = "Lesson 08: the database"

    def ready(self):
        # Importing the module connects its post_save receiver (the liveblog).
        from db_demo import signals  # noqa: F401
