"""Exercise 13.1: Write nginx's location block for WebSockets.

websocket_location(upstream) returns an nginx `location /ws/ { ... }` block
that proxies WebSockets to `upstream` (an upstream name like "daphnes"). It
must use HTTP/1.1 to the upstream, pass the Upgrade and Connection headers,
pass Host as the browser sent it, set X-Forwarded-For to the client's own
address ($remote_addr), and keep idle sockets open longer than nginx's 60 s
default (proxy_read_timeout of at least 300 s). Compare with
deploy/nginx.conf after.

Rules (the check proves each one, and nothing else):

1. The block opens with `location /ws/ {` and has `proxy_pass
   http://<upstream>;` for the upstream it is given, with no path after it.
2. `proxy_http_version 1.1;`, once.
3. Upgrade is set to $http_upgrade, and Connection to a value holding the
   word upgrade (or $connection_upgrade, deploy/nginx.conf's map).
4. Host is set to $http_host: the Host the browser sent, port included
   ($host drops the port, and the origin check compares it: lesson 13).
5. X-Forwarded-For is set to $remote_addr, never appended to.
6. One proxy_read_timeout of at least 300 s, in a unit nginx reads (none
   is seconds).
7. Each header is set once, and `nginx -t` accepts the block (when nginx
   is installed; its braces must pair either way).
8. Nothing in the file sets DJANGO_ALLOW_ASYNC_UNSAFE.

Edit this file, then check it:

    python manage.py exercise 13.1

The check is exercises/13_1_websocket_location/check.py; once you have
tried, `python manage.py exercise 13.1 --solution` shows where the solution is.
"""


def websocket_location(upstream: str) -> str:
    """An nginx `location /ws/ { ... }` block proxying WebSockets to `upstream`."""
    # TODO: the directives a WebSocket needs through nginx
    return f"""location /ws/ {{
    proxy_pass http://{upstream};
}}
"""
