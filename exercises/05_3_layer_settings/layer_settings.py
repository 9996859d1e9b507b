"""Exercise 05.3 (fix): the chat works on one process, and loses half the room on two.

This is the CHANNEL_LAYERS setting of a small project of your own (the
course's own is made in lessons/channel_config.py; leave that one alone).
With one `runserver` the chat works. Deployed as two Daphne processes behind
nginx (lesson 13), a message reaches only the sockets on the sender's own
process; a management command's group_send (lesson 06) reaches nobody.
Nothing raises, nothing is logged: the messages just never arrive
(django/channels#1060; Channels' docs on the in-memory layer).

Fix the setting so that every process of the project shares one layer, on
the Redis at REDIS_URL (default redis://127.0.0.1:6379/0).

Edit this file, then check it:

    python manage.py exercise 05.3

The check is exercises/05_3_layer_settings/check.py; once you have tried,
`python manage.py exercise 05.3 --solution` shows where the solution is.
"""

import os

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

# TODO: where does this layer keep its groups and messages?
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels.layers.InMemoryChannelLayer",
    },
}
