# Another ordering: "daphne" moved only as far as it must, just above django.contrib.staticfiles.
"""Alternative 00.1: "daphne" listed right above django.contrib.staticfiles, not first.

What decides which runserver wins is which of the apps that ship one comes
first: daphne and staticfiles are the only two here, so daphne above
staticfiles is enough (and it is what daphne.E001 asks for). Listing it
first, as the lesson does, is the simple way to be sure.
"""

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "daphne",
    "django.contrib.staticfiles",
    "channels",
]
