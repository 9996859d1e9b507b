"""Lesson 11 from a terminal: log a socket in with a token, no cookie, no password.

    python manage.py issue_token ada | python -m auth_demo.token_client
    python manage.py issue_token ada | python -m auth_demo.token_client --subprotocol
    python manage.py issue_token ada | python -m auth_demo.token_client http://127.0.0.1:8001

The token comes on standard input (the last word of the line issue_token
prints), never as an argument: arguments are visible to every user of the
machine (`ps`) and kept in shell history. By default it goes in the first
frame of ws/auth/token/; with --subprotocol, in the handshake's
Sec-WebSocket-Protocol header on ws/auth/token-protocol/.
Lesson text: lessons/11-middleware-and-tokens.md
"""

import json
import sys

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def log_in(token: str, base_url: str = "http://127.0.0.1:8000", subprotocol: bool = False) -> str:
    """Open a token route, present the token, and return what the server answered, in one line."""
    ws_base = base_url.replace("http", "ws", 1)
    # A script chooses its own Origin; the origin check protects browsers only (lesson 07).
    if subprotocol:
        options = {"subprotocols": ["bearer", token]}
        url = f"{ws_base}/ws/auth/token-protocol/"
    else:
        options = {}
        url = f"{ws_base}/ws/auth/token/"
    with connect(url, origin=base_url, **options) as socket:
        if not subprotocol:
            socket.send(json.dumps({"token": token}))
        try:
            return f"{url} says: {socket.recv(timeout=15)}"
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            return f"{url} closed the socket with code {code}: the token was refused (forged, expired, or its user is gone)"


def main(argv: list[str]) -> None:
    subprotocol = "--subprotocol" in argv
    base_url = next((arg for arg in argv if not arg.startswith("--")), "http://127.0.0.1:8000")
    words = sys.stdin.read().split()
    if not words:
        sys.exit(
            "no token on standard input: python manage.py issue_token <username> | python -m auth_demo.token_client"
        )
    print(log_in(words[-1], base_url, subprotocol))


if __name__ == "__main__":
    main(sys.argv[1:])
