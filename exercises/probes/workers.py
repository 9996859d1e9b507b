"""The background tasks' worker (django-tasks-db's), run in this process as `manage.py db_worker --batch` runs it."""


def run_the_queue(worker_id: str) -> None:
    """A worker runs every task waiting, then returns, its database connection closed (checks 18.1, 18.2)."""
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    options = {"queue_names": ["default"], "excluded_queue_names": [], "backend_name": "default", "max_tasks": None}
    try:
        Worker(interval=0, batch=True, startup_delay=False, worker_id=worker_id, **options).run()
    finally:
        connection.close()
