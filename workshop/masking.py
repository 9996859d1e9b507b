"""Every password in any URL of a line, masked (lesson 17): what `doctor` sends to the room holds none.

A Redis or PostgreSQL URL carries its password in two places: before the host
(`redis://:secret@host:6379/0`) and in the query string
(`redis://host:6379/0?password=secret`, which redis-py and libpq both read).
`doctor`'s lines name such URLs, and once a laptop has joined, each line not
ok is sent to the instructor's page: both places are masked before it leaves.
"""

import re

# scheme://user:password@host: the whole userinfo goes (a user name can be a secret's half).
USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@")
# ?password=..., &passwd=..., ;token=..., ?api_key=...: any parameter whose name says it is secret.
SECRET_PARAMETER = re.compile(r"([?&;][^=&#\s]*(?:pass|pwd|secret|token|key)[^=&#\s]*=)[^&;#\s]*", re.IGNORECASE)


def masked(text: str) -> str:
    """`text` with each URL's userinfo and each secret query parameter's value as ***."""
    return SECRET_PARAMETER.sub(r"\1***", USERINFO.sub(r"\1***@", text))
