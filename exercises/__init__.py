"""The exercise kit: build consumers yourself, then check them with one command.

    exercises/exNN_K_<slug>.py             the starter you edit (task in its docstring, TODO where the work goes)
    exercises/checks/check_NN_K_<slug>.py  the check: pytest tests named after the behaviours it demands
    exercises/solutions/exNN_K_<slug>.py   a reference solution, with why it is written that way

`python manage.py exercise` lists them; `python manage.py exercise NN.K` checks
yours. CI proves every check passes on its solution and fails on its untouched
starter (tests/test_exercises.py).
"""
