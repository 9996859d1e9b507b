"""Lesson 16: a socket opens only for a page of this very site: same scheme, host and port.

Channels' AllowedHostsOriginValidator (lesson 07) compares the Origin's host
with ALLOWED_HOSTS and ignores its port, so a page served by any other program
on the same machine (`http://127.0.0.1:9999`: a student's other dev server, a
tool the instructor runs) opened sockets with the visitor's cookie. A browser
sends the page's origin in `Origin` and the site's own `host:port` in `Host`,
so the check needs no list of ports: it is the rule Django's CSRF middleware
applies to a form's Origin. The Origin must equal this site's origin (the
scheme the handshake came over, then its Host header), that host must be in
ALLOWED_HOSTS (else any name pointed at this address would be "this site"),
and a default port counts as written (`http://example.com:80` is
`http://example.com`). No Origin, no Host, or anything else: HTTP 403.
"""

from urllib.parse import urlparse

from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.utils.http import is_same_domain


def header(scope, name: bytes) -> str | None:
    """The first header called `name` (lowercase), decoded as HTTP headers are; None when absent."""
    return next((value.decode("latin1") for key, value in scope.get("headers", []) if key == name), None)


def site_origin(scope) -> str | None:
    """This site as the handshake's browser sees it, `scheme://host:port`; None if its Host is not allowed."""
    host = header(scope, b"host")
    if not host:
        return None
    # The name without its port ("[::1]:8000" -> "[::1]"), checked as Django checks a request's Host.
    name = host.lower() if host.endswith("]") else host.lower().rsplit(":", 1)[0]
    allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    if not any(pattern == "*" or is_same_domain(name, pattern) for pattern in allowed):
        return None
    # wss:// from the browser, or TLS ended by a proxy that says so as Django trusts it (production).
    proxy = settings.SECURE_PROXY_SSL_HEADER
    forwarded = proxy and header(scope, proxy[0].removeprefix("HTTP_").replace("_", "-").lower().encode())
    secure = scope.get("scheme") in ("wss", "https") or (proxy and forwarded == proxy[1])
    return f"{'https' if secure else 'http'}://{host}"


class SiteOriginValidator(OriginValidator):
    """An origin check per handshake: the Origin must be this site's own origin, port included."""

    def __init__(self, application):
        super().__init__(application, allowed_origins=[])

    async def __call__(self, scope, receive, send):
        if self.from_this_site(header(scope, b"origin"), site_origin(scope)):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)

    def from_this_site(self, origin: str | None, site: str | None) -> bool:
        """Scheme, host and port of both equal, a default port as if written; a malformed one is no match."""
        try:
            return bool(origin and site and self.match_allowed_origin(urlparse(origin.lower()), site.lower()))
        except ValueError:  # a port that is not a number, in either header
            return False
