"""Wrong: daphne goes before django.contrib.staticfiles, not instead of it; the project still needs its static files.

Deleting staticfiles silences daphne.E001, and {% static %}, collectstatic
and the admin's stylesheets go with it.

The check says: "these apps are gone from INSTALLED_APPS"
"""

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "channels",
]
