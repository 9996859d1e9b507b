"""The exercise kit: build consumers yourself, then check them with one command.

One folder per exercise, sorting by number, e.g. exercises/04_2_presence/:

    presence.py          the file you edit (task in its docstring, TODO where the work goes)
    check.py             the check: pytest tests named after the behaviours it demands
    exercise.toml        title, kind, upstream page, live route
    probes.py            (a few) probes only this check runs; those several share are in exercises/probes/
    meta/hints.toml      a ladder of hints per check, shown a rung at a time as that check fails
    meta/solution.py     a reference solution, with why it is written that way (open it after a try)
    meta/alternatives/   correct solutions in other styles the check must pass, each saying
                         on its first line what style it shows and why it is still right
    meta/mistakes/*.diff classic wrong solutions the check must reject: each the few lines it
                         changes in the solution, with a one-line why on top

Two kinds: a `build` starter asks you to write a consumer; a `fix` starter is
working-looking course code with one real mistake that Channels users hit
(its docstring quotes the error they met and names the upstream issue or
docs page). Where the mistake lives in settings, asgi.py or a router, the
starter is a small module of your own, and its check loads it in a fresh
process where it must. Every check imports exercises/probes/ and nothing
of the course.

`python manage.py exercise` lists them; `python manage.py exercise NN.K` checks
yours (`--watch`: again on every save; `--mistakes`, once it passes: what
others got wrong here). The code that reads these folders is course/kit/. CI
proves every check fails on its untouched starter, passes on its solution and
its alternatives, and rejects every mistake with a message naming the broken rule
(tests/course/test_exercises_kit_slow.py).
"""
