"""Alternative 13.1, a list of directives joined into the block, the timeout as minutes and seconds in one quoted time.

Still right: nginx reads "5m 1s" as 301 s (units from the largest down, a space between them, the
whole time quoted as one argument, as nginx's docs write "1h 30m"); the headers are set once each,
Connection to the word upgrade, Host to $http_host, X-Forwarded-For to $remote_addr.
"""

DIRECTIVES = [
    "proxy_http_version 1.1",
    "proxy_set_header Upgrade $http_upgrade",
    'proxy_set_header Connection "upgrade"',
    "proxy_set_header Host $http_host",
    "proxy_set_header X-Forwarded-For $remote_addr",
    'proxy_read_timeout "5m 1s"',
]


def websocket_location(upstream: str) -> str:
    """An nginx `location /ws/ { ... }` block proxying WebSockets to `upstream`."""
    lines = [f"proxy_pass http://{upstream}", *DIRECTIVES]
    body = "".join(f"    {line};\n" for line in lines)
    return "location /ws/ {\n" + body + "}\n"
