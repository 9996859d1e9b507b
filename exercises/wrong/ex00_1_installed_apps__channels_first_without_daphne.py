"""Wrong: since Channels 4, only daphne provides an ASGI runserver; "channels" first does not, so daphne must stay and come first.

Without "daphne", runserver is Django's WSGI one: every handshake gets 404.

The check says: "runserver comes from 'django.contrib.staticfiles': that is"
"""

INSTALLED_APPS = [
    "channels",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
]
