"""Settings for the Channels Lessons course project.

Every value that differs between machines is read from the environment here,
in one place: SECRET_KEY, DEBUG, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL,
REDIS_SENTINELS, REDIS_SENTINEL_MASTER, CHANNEL_LAYER, CHANNEL_LAYER_PREFIX,
POSTGRES_URL, INSPECTOR, TASKS_WORKER_LEASE, TASKS_MAX_ATTEMPTS, EMAIL_BACKEND, EMAIL_HOST
and EMAIL_PORT.
"""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
import django

from lessons.channel_config import POSTGRES_ALIAS, SENTINEL_MASTER, channel_layers, postgres_database

BASE_DIR = Path(__file__).resolve().parent.parent

# A fixed development key is fine on a laptop; production must set its own.
DEVELOPMENT_SECRET_KEY = "django-insecure-channels-lessons-development-only"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = os.environ.get("DEBUG", "1").lower() in {"1", "true", "yes", "on"}
# DEBUG off is a server others reach, and this key is printed above for anyone to sign a session,
# a CSRF token or lesson 11's login token with: refuse, rather than make a key no one chose (lesson 16).
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    sys.exit(
        "DEBUG is off, and SECRET_KEY is the development key printed in lessons/settings.py: anyone who has read "
        "the course could sign a session or a login token for this server. Set one of your own, e.g.\n"
        "  export SECRET_KEY=\"$(python -c 'import secrets; print(secrets.token_urlsafe(50))')\""
    )
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"] + [
    host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()
]

INSTALLED_APPS = [
    # daphne first: its runserver (ASGI) must replace Django's (WSGI) one.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    # Lesson 15's PostgreSQL layer: its models are its two tables. Its router
    # (DATABASE_ROUTERS below) keeps them off the default database.
    "channels_postgres",
    "lessons",
    "course",  # the pages, inspector and commands around the lessons
    "sync_demo",
    "async_demo",
    "layers_demo",
    "auth_demo",
    "db_demo",
    "http_demo",
    "workshop",  # lesson 17: the workshop room
    # Lesson 18: background tasks, then their backend and (on 5.2) the Tasks framework; tasks_demo first, so
    # that its db_worker (with a lease) replaces django_tasks_db's.
    "tasks_demo",
    "django_tasks_db",
    *(["django_tasks"] if django.VERSION < (6, 0) else []),  # Django 6 has it built in (django.tasks)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Lesson 16: every POST that opens a password door (the login forms, the password-change forms,
    # the reset form) counted per name and per address before the view checks it, in every settings
    # module that serves the doors (production and the workshop room import this list).
    "auth_demo.password_doors.LoginThrottleMiddleware",
]

ROOT_URLCONF = "lessons.urls"
ASGI_APPLICATION = "lessons.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL (e.g. postgres://127.0.0.1:5432/test) for a
# real server. The test database is a file, so a second process (Daphne in the browser tests)
# can open it too, one per test process (two runs at once never rebuild each other's);
# TEST_DATABASE_NAME names another (an exercise's check gets a file of its own).
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    own_test_database = Path(tempfile.gettempdir()) / f"channels-lessons-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or str(own_test_database)}
    # WAL lets readers (another process's Daphne) read while one writer writes;
    # synchronous=NORMAL stops every commit from waiting on the disk.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL") or None
CHANNEL_LAYER = os.environ.get("CHANNEL_LAYER", "core")
# host:port,host:port of Redis Sentinels: the layer asks them where the primary is (lesson 15).
REDIS_SENTINELS = os.environ.get("REDIS_SENTINELS") or None
REDIS_SENTINEL_MASTER = os.environ.get("REDIS_SENTINEL_MASTER") or SENTINEL_MASTER
POSTGRES_URL = os.environ.get("POSTGRES_URL") or None  # for CHANNEL_LAYER=postgres (lesson 15)
CHANNEL_LAYERS = channel_layers(
    REDIS_URL,
    CHANNEL_LAYER,
    os.environ.get("CHANNEL_LAYER_PREFIX", "asgi"),
    sentinels=REDIS_SENTINELS,
    master=REDIS_SENTINEL_MASTER,
    postgres_url=POSTGRES_URL,
)
# channels_postgres's tables live in a database of their own, this alias:
# `migrate`, then `migrate --database channels_postgres` (lesson 15).
if CHANNEL_LAYER == "postgres":
    DATABASES[POSTGRES_ALIAS] = postgres_database(POSTGRES_URL)
DATABASE_ROUTERS = ["lessons.channel_config.PostgresLayerRouter"]

# What the course adds around the application in development (course/development.py):
# the students' exercise routes, and the inspector. Off whenever DEBUG is off; tests
# drive the lessons' own application unless a test wraps it.
COURSE_DEVELOPMENT = DEBUG and "pytest" not in sys.modules

# The hazard demos, routes that show a danger on purpose (the slow routes hold a thread,
# the scope echo sends the session cookie back, lesson 04's chats have no flood limit):
# routed only while this is on, i.e. in development. Off, they are refused (lessons/routing.py).
SERVE_HAZARD_DEMOS = DEBUG

# The inspector (course/inspector.py) shows each lesson page what the server did
# with its sockets. Development only; INSPECTOR=0 turns it off, and tests run
# without it unless a test turns it on. Off, nothing is wrapped.
INSPECTOR_ENABLED = DEBUG and os.environ.get("INSPECTOR", "1") == "1" and "pytest" not in sys.modules
if INSPECTOR_ENABLED:
    from course.inspector import recording_layers

    CHANNEL_LAYERS = recording_layers(CHANNEL_LAYERS)

# Lesson 18: enqueued tasks are rows in the default database, run by `manage.py db_worker`
# (Django ships only the immediate and dummy backends: no worker, no result kept).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Each db_worker holds a lease and renews it every third of this many seconds (tasks_demo/leases.py); a task
# whose worker's lease ran out is READY again (an idempotent task, until this many workers were lost under
# it) or FAILED. Shorter finds a dead worker sooner, and calls a worker paused that long dead.
TASKS_WORKER_LEASE = float(os.environ.get("TASKS_WORKER_LEASE", "30"))
TASKS_MAX_ATTEMPTS = int(os.environ.get("TASKS_MAX_ATTEMPTS", "3"))

# Lesson 16's password reset mails a link (auth_demo/password_reset.py). In development it is printed
# where the server prints; a server sends it to the mail server at EMAIL_HOST:EMAIL_PORT. EMAIL_BACKEND
# names another backend, e.g. Django's locmem one.
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
MAIL_SERVER = os.environ.get("EMAIL_HOST", "localhost"), int(os.environ.get("EMAIL_PORT", "25"))


def mail_settings(backend: str, host: str, port: int) -> dict:
    """The settings that send mail with this backend: MAILERS on Django 6.1+, which warns on each EMAIL_* one."""
    # timeout: a mail server that never answers holds the reset form's one mail thread no longer than 10 s.
    server = {"host": host, "port": port, "timeout": 10}
    if django.VERSION >= (6, 1):
        return {"MAILERS": {"default": {"BACKEND": backend, "OPTIONS": server if backend == SMTP_BACKEND else {}}}}
    return {"EMAIL_BACKEND": backend, **{f"EMAIL_{name.upper()}": value for name, value in server.items()}}


DEVELOPMENT_MAIL = "django.core.mail.backends.console.EmailBackend"  # prints each mail where the server prints
globals().update(  # MAILERS or the EMAIL_* settings, whichever this Django line reads
    mail_settings(os.environ.get("EMAIL_BACKEND") or (DEVELOPMENT_MAIL if DEBUG else SMTP_BACKEND), *MAIL_SERVER)
)

LOGIN_REDIRECT_URL = "/lessons/07/"
LOGOUT_REDIRECT_URL = "/lessons/07/"

# The socket login's throttle (lesson 16, auth_demo/throttle.py): failed logins counted
# in Django's cache per fixed window. 5 per username leaves a person room for a few
# typos, and holds a guesser to about 1 guess a minute per account instead of 3.2 a
# second per socket. 20 per address lets a few people behind one NAT mistype without
# locking each other out, and stops a guesser who tries one password on many names.
LOGIN_FAILURE_WINDOW = 300  # seconds
LOGIN_FAILURES_PER_USERNAME = 5
LOGIN_FAILURES_PER_ADDRESS = 20
# Each name counted across every address (one lock for an account, wherever the guesses come from);
# the workshop room counts it per address instead (lessons/settings_room.py says why).
LOGIN_NAME_COUNTED_PER_ADDRESS = False

# A socket whose client stops reading (lesson 16, lessons/slow_readers.py): once more
# than 64 KiB waits to go out, each message handed to it counts, and one past this
# many closes it with 4429. 1,000 messages is a minute and a half of a busy chat
# at 10 a second for a phone on a bad line; at most a few MB for one socket.
WEBSOCKET_UNREAD_LIMIT = 1000
# ... or once the messages waiting past those 64 KiB hold more than this many bytes: a count
# alone let 1,000 frames of Daphne's largest (1 MiB) wait, 1 GB for one socket. 4 MiB is the
# 1,000 messages above at 4 KiB each, so a chat's small messages meet the count first.
WEBSOCKET_UNREAD_BYTES = 4 * 1024 * 1024

# Worker jobs (ws/layers/primes/, lesson 16, layers_demo/worker_jobs.py): how many one client
# (a socket, a user, an address) may have queued and unanswered at once. Each is seconds of
# CPU: one running and one waiting, and no client holds the worker while others' jobs expire.
WORKER_JOBS_PER_CLIENT = 2

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the lesson pages' JavaScript under Daphne too, straight
# from the app folders, so there is no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# One console handler for everything: warnings from the apps (a chat socket
# closed with 4503, a failed membership renewal) and Django's own INFO lines
# (runserver's "WebSocket CONNECT ..."), each printed once.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
