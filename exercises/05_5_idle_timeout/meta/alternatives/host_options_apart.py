# The host's connection options kept in a dict of their own, with a connect timeout beside no read timeout and keepalive: the blocking read still waits as long as the layer asks.
"""Alternative 05.5: HOST built apart, socket_timeout None and keepalive, plus a 5 s connect timeout.

No read timeout lets the layer's blocking read (BZPOPMIN, up to 5 s) wait
on a quiet channel; keepalive finds a dead server. socket_connect_timeout
bounds only the connecting, so a Redis that is down fails fast at connect
and never cuts a read.
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

HOST = {
    "address": REDIS_URL,
    "socket_timeout": None,  # redis-py 8's default is 5 s: shorter than the layer's blocking read
    "socket_keepalive": True,
    "socket_connect_timeout": 5,
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [HOST]},
    },
}
