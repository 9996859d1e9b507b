"""Exercise 05.5 (fix): on Redis, every quiet socket drops after five seconds.

This is the CHANNEL_LAYERS setting of a small project of your own, on the
Redis at REDIS_URL (the course's own is made in lessons/channel_config.py;
leave that one alone). It worked for years. Since redis-py 8, every socket
that hears nothing for five seconds is closed (1011), the browser
reconnects, and five seconds later it happens again. The log shows

    redis.exceptions.TimeoutError: Timeout reading from 127.0.0.1:6379

raised from the channel layer's receive() (django/channels_redis#422;
redis-py 8.0's release notes). Redis itself is fine. Fix the setting.

Edit this file, then check it:

    python manage.py exercise 05.5

The check is exercises/05_5_idle_timeout/check.py; once you have tried,
`python manage.py exercise 05.5 --solution` shows where the solution is.
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # TODO: how long may redis-py wait for an answer on this connection, and how long does the layer wait?
        "CONFIG": {"hosts": [REDIS_URL]},
    },
}
