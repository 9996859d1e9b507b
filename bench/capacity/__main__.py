"""`python -m bench.capacity --sockets N --room-size S --broadcasts M`: see bench/capacity/model.py."""

import sys

from bench.capacity.model import main

sys.exit(main(sys.argv[1:]))
