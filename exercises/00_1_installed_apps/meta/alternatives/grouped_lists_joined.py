# The apps kept in groups (Django's own, third-party), joined with "daphne" put ahead of them all.
"""Alternative 00.1: INSTALLED_APPS built from groups, the way many projects split their settings.

DJANGO_APPS and THIRD_PARTY_APPS are kept apart for reading, and "daphne"
is taken out of the third-party group and put ahead of everything: it must
come before django.contrib.staticfiles, whose runserver is the WSGI one.
"""

SERVER_APPS = ["daphne"]  # first: its runserver (ASGI) replaces staticfiles' (WSGI)
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = ["channels"]

INSTALLED_APPS = SERVER_APPS + DJANGO_APPS + THIRD_PARTY_APPS
