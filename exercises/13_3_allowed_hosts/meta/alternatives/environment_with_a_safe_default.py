"""Alternative 13.3, ALLOWED_HOSTS read from the environment (twelve-factor), its default the site's two hosts.

Still right: where DJANGO_ALLOWED_HOSTS is not set, the default names exactly "example.com" and
"www.example.com", split on whitespace into host names (no "*", no URL), so a forgotten variable
leaves the site working and closed to other sites; DEBUG is a constant False, never read from a
string of the environment.
"""

import os

DEBUG = False

ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "example.com www.example.com").split()
