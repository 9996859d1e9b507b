# The Redis host given as {"address": REDIS_URL}, read with os.getenv: the same RedisChannelLayer, hosts and prefix in every process.
"""Alternative 05.3: RedisChannelLayer with its host written as a dict, {"address": <the URL>}.

channels_redis takes a host as a URL string or as a dict of connection
arguments whose "address" is the URL: both reach the same Redis, so every
process shares the same groups.
"""

import os

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": os.getenv("REDIS_URL") or DEFAULT_REDIS_URL}]},
    },
}
