"""Alternative 13.1, a textwrap.dedent f-string with deploy/nginx.conf's $connection_upgrade and a timeout in minutes.

Still right: $connection_upgrade is the map deploy/nginx.conf defines at the http level ("upgrade"
when the client asked to upgrade, "close" otherwise), and nginx -t gets that map too; 10m is 600 s,
a unit nginx reads; Host is $http_host, port included; nginx's {} are doubled in the f-string.
"""

from textwrap import dedent


def websocket_location(upstream: str) -> str:
    """An nginx `location /ws/ { ... }` block proxying WebSockets to `upstream`."""
    return dedent(
        f"""\
        location /ws/ {{
            proxy_pass http://{upstream};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 10m;
        }}
        """
    )
