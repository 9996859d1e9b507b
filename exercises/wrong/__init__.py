"""Classic wrong solutions, one file each: exNN_K_<slug>__<mistake>.py. Every check must reject them.

Each file is a reference solution broken the way students break it (a task
never cancelled, a group never left, state on a shared object...). Its
docstring opens with the rule it breaks, in one line, and holds a line

    The check says: "<words>"

naming words the check's failure message must contain, so the student who
makes that mistake is told the rule. tests/test_exercises_kit_slow.py proves
each is rejected with that message (`EXERCISE_TARGET=wrong/<module>` points a
check at one by hand).
"""
