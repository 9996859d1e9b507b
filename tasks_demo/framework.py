"""Django's Tasks framework, under the one name lesson 18's code imports it by.

Django 6.0 added it as `django.tasks`. On Django 5.2 LTS the same API (the
same `@task`, `aenqueue`, `TaskResult` and statuses) is the django-tasks
backport, a package named `django_tasks`: requirements.txt pins it, and
requirements-django6.txt does not need it. Everything else in tasks_demo
imports from here, so the lesson's code reads the same on both lines.
"""

try:  # Django 6.x: built in
    from django.tasks import TaskResultStatus, task
    from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
    from django.tasks.signals import task_finished, task_started
except ImportError:  # Django 5.2: the backport
    from django_tasks import TaskResultStatus, task
    from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
    from django_tasks.signals import task_finished, task_started

__all__ = ["TaskResultDoesNotExist", "TaskResultMismatch", "TaskResultStatus", "task", "task_finished", "task_started"]
