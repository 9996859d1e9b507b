"""Production settings: `DJANGO_SETTINGS_MODULE=lessons.settings_production`.

Everything in lessons/settings.py, with DEBUG off and nothing secret or
host-specific left to a default: SECRET_KEY and ALLOWED_HOSTS must come from
the environment, and the site is assumed to sit behind HTTPS (wss:// for
sockets). `python manage.py check --deploy` passes with these; NOTES.md walks
through each line.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from lessons.channel_config import channel_layers
from lessons.settings import *  # noqa: F403


def required(name: str) -> str:
    """An environment variable production cannot run without."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for lessons.settings_production")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
# Only the hosts named here: no development defaults in production.
ALLOWED_HOSTS = [host.strip() for host in required("ALLOWED_HOSTS").split(",") if host.strip()]
WHITENOISE_AUTOREFRESH = False

# HTTPS everywhere: the proxy in front of Daphne terminates TLS and says so.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# The session cookie is what AuthMiddlewareStack reads on the WebSocket handshake.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Lesson 16: not the key lessons/settings.py prints, with which anyone signs a session or a login token.
if SECRET_KEY == DEVELOPMENT_SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY is the development key lessons/settings.py prints: set one of your own")
# Lesson 16's reset mail to a mail server (EMAIL_HOST, EMAIL_PORT), never the development console.
globals().update(mail_settings(os.environ.get("EMAIL_BACKEND") or SMTP_BACKEND, *MAIL_SERVER))  # noqa: F405

# Nothing of the course's development layers in production: no exercise routes, no
# inspector (nothing recorded, the channel layer not wrapped), and none of the hazard
# demos (lessons/settings.py says which; lesson 13 lists what production serves).
COURSE_DEVELOPMENT = False
SERVE_HAZARD_DEMOS = False
INSPECTOR_ENABLED = False
CHANNEL_LAYERS = channel_layers(
    REDIS_URL,  # noqa: F405
    CHANNEL_LAYER,  # noqa: F405
    os.environ.get("CHANNEL_LAYER_PREFIX", "asgi"),
    sentinels=REDIS_SENTINELS,  # noqa: F405
    master=REDIS_SENTINEL_MASTER,  # noqa: F405
    postgres_url=POSTGRES_URL,  # noqa: F405
)

# Lesson 16's login throttle counts failures in Django's cache. The default cache
# lives in each process, so with several Daphne processes a guesser would get
# every limit once per process: one Redis (the first REDIS_URL lists) for all.
if REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL.split(",")[0].strip(),  # noqa: F405
            "KEY_PREFIX": os.environ.get("CHANNEL_LAYER_PREFIX", "asgi"),
        }
    }
