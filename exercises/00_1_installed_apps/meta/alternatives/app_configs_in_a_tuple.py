# INSTALLED_APPS as a tuple, daphne named by its AppConfig path: the order still puts Daphne's runserver first.
"""Alternative 00.1: a tuple, and "daphne" given as its AppConfig ("daphne.apps.DaphneConfig").

Django accepts a tuple as well as a list, and an app by its AppConfig's
dotted path as well as by its package: what decides which runserver wins is
still the order, and Daphne's app comes first, above django.contrib.staticfiles.
"""

INSTALLED_APPS = (
    "daphne.apps.DaphneConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "channels",
)
