"""Alternative 13.1, the lines joined with "\n", each directive on its own, the timeout at its bound: 300 (seconds).

Still right: a time without a unit is seconds to nginx, so 300 is five minutes, the least the task
allows; 'Connection "Upgrade"' holds the word in nginx's own capitals (a header value is read without
regard to case); Host is $http_host, the Host the browser sent, port included.
"""


def websocket_location(upstream: str) -> str:
    """An nginx `location /ws/ { ... }` block proxying WebSockets to `upstream`."""
    lines = [
        "location /ws/ {",
        "    proxy_pass http://" + upstream + ";",
        "    proxy_http_version 1.1;",
        "    proxy_set_header Upgrade $http_upgrade;",
        '    proxy_set_header Connection "Upgrade";',
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $remote_addr;",
        "    proxy_read_timeout 300;",
        "}",
    ]
    return "\n".join(lines) + "\n"
