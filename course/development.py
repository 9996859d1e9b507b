"""What the course adds around lessons/asgi.py's application in development (DEBUG) only.

The students' exercise consumers (course/kit/routes.py) and the lesson pages'
server-side inspector (course/inspector.py) wrap the one application, as
Django Debug Toolbar wraps a project: the lessons' router never names them,
and production serves neither.
"""

from django.conf import settings

from course.kit.routes import WithExerciseRoutes


def development(application):
    """`application` with the exercise routes, and the inspector when INSPECTOR is on."""
    application = WithExerciseRoutes(application)
    if settings.INSPECTOR_ENABLED:
        from course.inspector import inspected

        application = inspected(application)
    return application
