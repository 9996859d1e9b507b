"""The exercise kit: build consumers yourself, then check them with one command.

    exercises/exNN_K_<slug>.py             the starter you edit (task in its docstring, TODO where the work goes)
    exercises/checks/check_NN_K_<slug>.py  the check: pytest tests named after the behaviours it demands
    exercises/solutions/exNN_K_<slug>.py   a reference solution, with why it is written that way
    exercises/wrong/exNN_K_<slug>__<mistake>.py  a classic wrong solution the check must reject

Two kinds: a `build` starter asks you to write a consumer; a `fix` starter is
working-looking course code with one real mistake that Channels users hit
(its docstring quotes the error they met and names the upstream issue or
docs page). Where the mistake lives in settings, asgi.py or a router, the
starter is a small module of your own, and its check loads it in a fresh
process where it must (exercises/checks/fixlab.py helps those checks).

`python manage.py exercise` lists them; `python manage.py exercise NN.K` checks
yours (`--watch`: again on every save). CI proves every check fails on its
untouched starter, passes on its solution and rejects every wrong solution
with a message naming the broken rule (exercises/proof.py,
tests/test_exercises_kit_slow.py).
"""
