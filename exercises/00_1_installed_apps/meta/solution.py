"""Solution 00.1: "daphne" first in INSTALLED_APPS, above django.contrib.staticfiles.

Why: two apps ship a `runserver` command, daphne (ASGI) and staticfiles
(Django's WSGI one, which also serves static files). When apps share a
command name, the app listed first wins; daphne's runserver serves static
files too. Listed below staticfiles, Daphne's system check stops the server
(daphne.E001); missing, runserver is WSGI and answers every handshake with
404. "channels" does not provide runserver since Channels 4.
"""

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "channels",
]
