"""Lesson 07 from a terminal: log in over HTTP like a browser, then open ws/auth/whoami/ with its cookie.

    python -m auth_demo.whoami_client ada analytical-engine
    python -m auth_demo.whoami_client ada analytical-engine http://127.0.0.1:8001

The socket knows who you are only because the handshake carries the session
cookie the login form set. A script also chooses its own Origin header: the
origin check protects people's browsers, it cannot stop a script.
Lesson text: lessons/07-authentication.md
"""

import sys
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from websockets.sync.client import connect


def log_in(base_url: str, username: str, password: str) -> str:
    """POST the login form (with its CSRF token) and return the session cookie's value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base_url}/accounts/login/")  # sets the csrftoken cookie
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    opener.open(f"{base_url}/accounts/login/", urllib.parse.urlencode(form).encode())
    session = [cookie.value for cookie in jar if cookie.name == "sessionid"]
    if not session:
        sys.exit(f"login as {username!r} failed: no session cookie came back (wrong password?)")
    return session[0]


def main(username: str, password: str, base_url: str = "http://127.0.0.1:8000") -> None:
    session = log_in(base_url, username, password)
    print(f"logged in over HTTP; session cookie sessionid={session[:8]}...")
    ws_url = base_url.replace("http", "ws", 1) + "/ws/auth/whoami/"
    with connect(ws_url, origin=base_url, additional_headers={"Cookie": f"sessionid={session}"}) as socket:
        print("ws/auth/whoami/ says:", socket.recv())


if __name__ == "__main__":
    main(*sys.argv[1:])
