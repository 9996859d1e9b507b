"""The real-server harness that the tests, the benchmark and the exercise kit share.

Starting a Daphne, a uvicorn, nginx or a Redis for real is machinery, not a lesson:
it lives here, apart from the lessons' apps and the course's pages, so nothing in
`lessons/` needs it and `bench/` and `tests/` import it from one place.
"""
