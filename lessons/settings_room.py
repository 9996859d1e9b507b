"""Settings for serving the course to a workshop room: `make workshop` (workshop/serve.py) starts Daphne with them.

lessons/settings_production.py, so what a shared network may see is exactly
what production serves: DEBUG off, none of the hazard demos, no inspector, no
exercise routes, only the hosts ALLOWED_HOSTS names (serve.py puts this
machine's LAN address there) and a SECRET_KEY that is not the development one.

Minus its HTTPS: production sits behind a TLS proxy, and a room is one laptop
serving plain http on 192.168.x.y, with no certificate any browser would trust
for that address. Kept on, each of these would break the room:
"""

from lessons.settings_production import *  # noqa: F403

# Every request would be redirected to https://, where nothing listens: no page, no join.
SECURE_SSL_REDIRECT = False
# HSTS tells the instructor's browser to refuse plain http to this host for a year.
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
# A Secure cookie is never sent over http: the instructor's login (its CSRF cookie) would fail,
# and the session cookie that ws/workshop/room/ reads would never reach it.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No proxy in front: a header saying "this was https" would be any client's word for it.
SECURE_PROXY_SSL_HEADER = None

# WhiteNoise serves the apps' static folders as they are (WHITENOISE_USE_FINDERS): a room has no
# collectstatic step, so no STATIC_ROOT, and no start-up warning that its folder is missing.
STATIC_ROOT = None

# The room's doors (workshop/doors.py): a password the course prints (lesson 07's `ada`) opens
# nothing here, at the login form, the admin or lesson 07's socket login: checked first.
AUTHENTICATION_BACKENDS = ["workshop.doors.NoPrintedPasswords", "django.contrib.auth.backends.ModelBackend"]
# Every POST that opens a password door is counted per address and per name on lesson 16's counters
# before the password is checked: lessons/settings.py's MIDDLEWARE, which production and this import.
# The name per address here: in a room, a student who fails five times as the instructor's name would
# otherwise lock the instructor out of every door; the instructor, on the serving laptop, never meets it.
LOGIN_NAME_COUNTED_PER_ADDRESS = True

# The instructor's session lasts the workshop, not Django's two weeks: it ends when the browser
# closes, and after 12 hours whatever the browser does. A room's plain http carries the cookie
# (lesson 07: the session cookie is the login), so the less time it is good, the better.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
