"""Exercise 13.1: Write nginx's location block for WebSockets.

websocket_location(upstream) returns an nginx `location /ws/ { ... }` block
that proxies WebSockets to `upstream` (an upstream name like "daphnes"). It
must use HTTP/1.1 to the upstream, pass the Upgrade and Connection headers,
pass Host, set X-Forwarded-For to the client's own address ($remote_addr),
and keep idle sockets open longer than nginx's 60 s default
(proxy_read_timeout of at least 300 s). Compare with deploy/nginx.conf after.

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
