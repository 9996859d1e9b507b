# The starter's list left as it was, "daphne" removed from its end and inserted at index 0.
"""Alternative 00.1: the list edited in place, "daphne" moved to the top with remove() and insert().

The same list as the starter's, then one move: out of its place at the
bottom and into the first place, above django.contrib.staticfiles. Moved,
not added: listed twice, Django would not start (duplicate app label).
"""

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "channels",
    "daphne",
]
INSTALLED_APPS.remove("daphne")
INSTALLED_APPS.insert(0, "daphne")  # first: the first app that ships runserver wins
