"""Alternative 13.1, the block built from a table of directives: one (name, value) pair a line, joined at the end.

Still right: each directive nginx needs is there once: HTTP/1.1 to the upstream, Upgrade and Connection
passed by hand (nginx's word "Upgrade" is read without regard to case), Host as the client sent it
($http_host, port kept), X-Forwarded-For set to $remote_addr only, and a read timeout of one hour
written in nginx's own unit (1h >= 300 s).
"""


def websocket_location(upstream: str) -> str:
    """An nginx `location /ws/ { ... }` block proxying WebSockets to `upstream`."""
    directives = [
        ("proxy_pass", f"http://{upstream}"),
        ("proxy_http_version", "1.1"),
        ("proxy_set_header", "Upgrade $http_upgrade"),
        ("proxy_set_header", "Connection Upgrade"),
        ("proxy_set_header", "Host $http_host"),
        ("proxy_set_header", "X-Forwarded-For $remote_addr"),
        ("proxy_read_timeout", "1h"),  # idle sockets: nginx's default of 60 s would close them
    ]
    lines = "".join(f"    {name} {value};\n" for name, value in directives)
    return "location /ws/ {\n" + lines + "}\n"
