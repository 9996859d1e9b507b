"""Wrong: the in-memory layer cannot cross processes at any size; a bigger capacity does not share it.

Messages were never dropped for capacity: they were never in the other
process at all.

The check says: "the other process's group_send never arrived here (got nothing"
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels.layers.InMemoryChannelLayer",
        "CONFIG": {"capacity": 10000, "expiry": 600},
    },
}
