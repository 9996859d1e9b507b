"""The real-server harness that the tests, the benchmark and the exercise kit share.

Starting a Daphne, a uvicorn, nginx or a Redis for real is machinery, not a lesson:
it lives here, apart from the lessons' apps and the course's pages, so nothing in
`lessons/` needs it and `bench/` and `tests/` import it from one place.

patience.py    how long the course waits for what must happen: every liveness deadline, in one place
servers.py     real server processes on free loopback ports: Daphne, redis-server, PostgreSQL, Sentinels
deployment.py  lesson 13's deployment here: deploy/nginx.conf in front of two Daphnes on one Redis
warm.py        a warm interpreter: modules imported once, each process a test asks for a fork of it
database.py    a test database's flushes made cheap (the suite's and the exercise checks')
busy.py        a command run beside a CPU hog on every core (`make test-busy`, `make test-flaky`)
"""
