"""Solution 13.3: list every host the site is served at: "example.com" and "www.example.com".

Why: AllowedHostsOriginValidator accepts a handshake only when the host of
its Origin header matches ALLOWED_HOSTS, and refuses the rest before the
socket opens (HTTP 403), logging nothing. A page on www.example.com sends
Origin: https://www.example.com, which "example.com" does not match. List
both (".example.com" would match every subdomain, which is more than the
site serves). Entries are host names, never URLs; "*" would let any site's
page open a socket with your users' cookies.
"""

DEBUG = False

ALLOWED_HOSTS = ["example.com", "www.example.com"]
