"""Idle sockets must outlive nginx's 60 s default read timeout.

A classic wrong solution to exercise 13.1: proxy_read_timeout is left at its default.
The check says: "proxy_read_timeout"
"""


def websocket_location(upstream: str) -> str:
    """An nginx `location /ws/ { ... }` block proxying WebSockets to `upstream`."""
    return f"""location /ws/ {{
    proxy_pass http://{upstream};
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection "upgrade";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $remote_addr;
}}
"""
