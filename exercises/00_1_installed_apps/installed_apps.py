"""Exercise 00.1 (fix): runserver starts, the pages load, and every socket gets HTTP 404.

This is the INSTALLED_APPS of a small project of your own (the course's own
list is in lessons/settings.py; leave that one alone). With it, `python
manage.py runserver` refuses to start:

    ERRORS:
    ?: (daphne.E001) Daphne must be listed before django.contrib.staticfiles
    in INSTALLED_APPS.

and when a student "fixes" that by deleting "daphne", runserver starts but
it is Django's WSGI server: pages load, and every WebSocket handshake gets
`Not Found: /ws/...` (HTTP 404; django/channels#1958, #1956). Fix the list:
keep every app in it, and make runserver Daphne's.

Rules (the check proves each one, and nothing else):

1. INSTALLED_APPS is a list (or a tuple), and Django starts with it in a
   fresh process: its system checks pass (no daphne.E001, no app listed
   twice).
2. `runserver` is Daphne's (ASGI): "daphne" is listed above every other app
   that ships a runserver command (django.contrib.staticfiles, and
   whitenoise.runserver_nostatic if you add it).
3. Every app of the starter's list is still installed, named by its package
   or by its AppConfig's path.
4. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 00.1

The check is exercises/00_1_installed_apps/check.py; once you have tried,
`python manage.py exercise 00.1 --solution` shows where the solution is.
"""

# TODO: does the order of these apps matter?
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "channels",
    "daphne",
]
