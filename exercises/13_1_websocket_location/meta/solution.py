"""Solution 13.1: nginx's location block for WebSockets.

Why this way: WebSocket upgrades need HTTP/1.1 to the upstream and the hop-by-hop
Upgrade/Connection headers passed on by hand; X-Forwarded-For is set to the
client's own address, never appended to what the client sent, because Daphne's
--proxy-headers trusts the first address in it (lesson 13); Host is passed as
the client sent it, port included ($http_host: $host drops the port, and the
origin check compares it); and idle sockets must outlive nginx's 60 s default
read timeout.
"""


def websocket_location(upstream: str) -> str:
    """An nginx `location /ws/ { ... }` block proxying WebSockets to `upstream`."""
    return f"""location /ws/ {{
    proxy_pass http://{upstream};
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection "upgrade";
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_read_timeout 3600s;
}}
"""
