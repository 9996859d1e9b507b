"""Wrong: ALLOWED_HOSTS names your own hosts; "*" lets a page on any site open a socket with your users' cookies.

The socket works on www.example.com, and on evil.example too: cross-site
WebSocket hijacking (lesson 07).

The check says: "a page at https://evil.example opened a socket: any site could"
"""

DEBUG = False

ALLOWED_HOSTS = ["*"]
