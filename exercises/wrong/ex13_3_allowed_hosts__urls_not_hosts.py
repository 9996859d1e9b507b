"""Wrong: ALLOWED_HOSTS holds host names, not origins; "https://..." entries match no Host header, so Django refuses every page.

The classic mix-up with CSRF_TRUSTED_ORIGINS, which does take a scheme.
Channels' origin check happens to accept these patterns, but Django
refuses every page: DisallowedHost, HTTP 400.

The check says: "a page on example.com gets HTTP 400: DisallowedHost: Invalid"
"""

DEBUG = False

ALLOWED_HOSTS = ["https://example.com", "https://www.example.com"]
