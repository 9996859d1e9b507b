"""Alternative 13.3, the hosts built from one DOMAIN constant: the bare domain and its www, in a tuple.

Still right: ALLOWED_HOSTS may be any sequence, and the tuple holds exactly "example.com" and
"www.example.com", host names with no scheme or port, so both addresses open their sockets and no
other site (nor any other subdomain) does; DEBUG stays False.
"""

DEBUG = False

DOMAIN = "example.com"  # the site's one domain: nginx serves it bare and with www
ALLOWED_HOSTS = (DOMAIN, f"www.{DOMAIN}")
