"""Exercise 05.5 (fix): on Redis, every quiet socket drops after five seconds.

This is the CHANNEL_LAYERS setting of a small project of your own, on the
Redis at REDIS_URL (the course's own is made in lessons/channel_config.py;
leave that one alone). It worked for years. Since redis-py 8, every socket
that hears nothing for five seconds is closed (1011), the browser
reconnects, and five seconds later it happens again. The log shows

    redis.exceptions.TimeoutError: Timeout reading from 127.0.0.1:6379

raised from the channel layer's receive() (django/channels_redis#422;
redis-py 8.0's release notes). Redis itself is fine. Fix the setting.

Rules (the check proves each one, and nothing else):

1. A channel that hears nothing can wait in Redis for as long as the
   layer's blocking read lasts (brpop_timeout, 5 s), and longer: no
   connection stops waiting first (redis-py 8's 5 s socket_timeout),
   judged by your setting's numbers and by two quiet reads on the real
   Redis; after a quiet spell each channel still gets its own message.
2. A message still goes through the layer.
3. A Redis that vanished is still found: a connection whose reads never
   time out (or only after more than 5 minutes) has TCP keepalive on.
4. The layer uses the Redis REDIS_URL names, never an address written
   in, and nothing prints or logs REDIS_URL's password.
5. The layer uses REDIS_URL whole: it logs in with its user and
   password, and uses the database number it names.
6. The layer holds at least the lesson's burst of 20 messages a channel
   (capacity), and a group membership lasts at least a day
   (group_expiry, its default: Daphne keeps a socket up to a day).
7. Your file never sets DJANGO_ALLOW_ASYNC_UNSAFE.

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
