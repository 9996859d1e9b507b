"""A WebSocket upgrade needs the Upgrade and Connection headers passed on by hand.

A classic wrong solution to exercise 13.1: the Connection header is left out.
The check says: "Connection"
"""


def websocket_location(upstream: str) -> str:
    """An nginx `location /ws/ { ... }` block proxying WebSockets to `upstream`."""
    return f"""location /ws/ {{
    proxy_pass http://{upstream};
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_read_timeout 3600s;
}}
"""
