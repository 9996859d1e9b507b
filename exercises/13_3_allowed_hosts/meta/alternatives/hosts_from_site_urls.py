"""Alternative 13.3, ALLOWED_HOSTS derived from the addresses the site is served at: the host name of each URL, by urlsplit.

Still right: the list holds exactly "example.com" and "www.example.com", host names with no scheme or
port, so AllowedHostsOriginValidator accepts an Origin from either address and refuses every other site.
"""

from urllib.parse import urlsplit

DEBUG = False

# Where the site is served (nginx in front of Daphne): each address a page, and so an Origin, can have.
SITE_URLS = ["https://example.com", "https://www.example.com"]

ALLOWED_HOSTS = [urlsplit(url).hostname for url in SITE_URLS]
