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

Rules (the check proves each one, and nothing else):

1. A page at https://example.com and one at https://www.example.com each
   open their socket through AllowedHostsOriginValidator.
2. A page on either host loads (Django finds its Host allowed).
3. A page on any other site is refused: another domain, a look-alike
   (example.com.evil.example), a subdomain the site does not serve, the
   Origin "null", the user's own machine (localhost, 127.0.0.1, [::1],
   0.0.0.0).
4. Every entry of ALLOWED_HOSTS is a host the site is served at: no entry
   lets a page anywhere else open a socket.
5. DEBUG is off, and stays off on a server whose environment says DEBUG=0.
6. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 13.3

The check is exercises/13_3_allowed_hosts/check.py; once you have tried,
`python manage.py exercise 13.3 --solution` shows where the solution is.
"""

DEBUG = False

# TODO: which Origin does a page on www.example.com send, and does this list allow it?
ALLOWED_HOSTS = ["example.com"]
