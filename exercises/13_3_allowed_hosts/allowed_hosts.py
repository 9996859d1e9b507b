"""Exercise 13.3 (fix): deployed, the pages load, and every socket is refused without a word.

These are the production settings of a small project of your own (the
course's own are lessons/settings_production.py; leave those alone). The
site is served at https://example.com and at https://www.example.com, both
through nginx to Daphne (lesson 13), and its sockets are wrapped in
AllowedHostsOriginValidator, as lessons/asgi.py does.

On example.com the chat works. On www.example.com every socket fails: the
browser says "WebSocket connection to 'wss://www.example.com/ws/chat/lobby/'
failed", and Daphne's access log has only

    "WSREJECT /ws/chat/lobby/"

(runserver says `WebSocket REJECT /ws/chat/lobby/`). No error, no reason (django/channels#2062 asks for one). Fix the setting so
that both addresses work, and a page on any other site still cannot open a
socket with your users' cookies (lesson 07: cross-site WebSocket hijacking).

Edit this file, then check it:

    python manage.py exercise 13.3

The check is exercises/13_3_allowed_hosts/check.py; once you have tried,
`python manage.py exercise 13.3 --solution` shows where the solution is.
"""

DEBUG = False

# TODO: which Origin does a page on www.example.com send, and does this list allow it?
ALLOWED_HOSTS = ["example.com"]
