"""Constants the tests share. Fixtures live in tests/conftest.py."""

# The root router's AllowedHostsOriginValidator refuses a handshake without an
# Origin whose host is in ALLOWED_HOSTS, exactly as a browser would send it.
ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]

# HttpCommunicator sends no Host header unless told; Django checks it against ALLOWED_HOSTS.
HOST = [(b"host", b"127.0.0.1:8000")]
