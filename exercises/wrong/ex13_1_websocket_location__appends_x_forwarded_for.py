"""X-Forwarded-For is the client's own address, never appended to what the client sent.

A classic wrong solution to exercise 13.1: $proxy_add_x_forwarded_for passes on whatever the client claimed.
The check says: "never append"
"""


def websocket_location(upstream: str) -> str:
    """An nginx `location /ws/ { ... }` block proxying WebSockets to `upstream`."""
    return f"""location /ws/ {{
    proxy_pass http://{upstream};
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection "upgrade";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_read_timeout 3600s;
}}
"""
