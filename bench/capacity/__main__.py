"""`python -m bench.capacity --sockets N --room-size S --broadcasts M`: see bench/capacity/cli.py."""

import sys

from bench.capacity.cli import main

sys.exit(main(sys.argv[1:]))
