"""The exercise kit: build consumers yourself, then check them with one command.

One folder per exercise, sorting by number, e.g. exercises/04_2_presence/:

    presence.py           the file you edit (task in its docstring, every rule its check enforces numbered there,
                          TODO where the work goes)
    check.py              the check: one pytest test per rule, then the standard battery in one visible line
    exercise.toml         the exercise's record (below)
    probes.py             (a few) probes only this check runs, imported as `from .probes import ...`; those
                          several checks share are in exercises/probes/
    meta/hints.toml       a ladder of hints per check, shown a rung at a time as that check fails
    meta/solution.py      a reference solution, with why it is written that way (open it after a try)
    meta/alternatives/    correct solutions in other styles the check must pass, each saying
                          on its first line what style it shows and why it is still right
    meta/mistakes/*.diff  classic wrong solutions the check must reject: each the few lines it
                          changes in the solution, with a one-line why on top
    meta/mutation.toml    the mutation proof's record: mutants made and killed, each survivor's reason

exercise.toml holds its title, its kind (build or fix), the file the student edits (file, and
starter_sha256: while the file is as shipped, the exercise is "not started"), its upstream page (a fix),
its live route (ws/exercises/NN-K/), what the student builds (builds: "websocket consumer", "HTTP
consumer", "middleware", ...), and a [battery] table: how the standard battery drives it (the name it
serves, the answers its contract gives), the behaviours that do not apply with why ([battery.skip]), and
the rule of the task each behaviour proves ([battery.rules]).

Beside the folders:

    battery/              the standard battery: what every exercise of a kind must do, run by every check
                          after its own tests (its docstring says how [battery] declares it)
    probes/               what every check imports: the module under check, and small probes that say what
                          went wrong in a sentence
    targets.py            which file a check drives (the student's, the solution, a mistake applied to it),
                          shared with the kit without pytest
    conftest.py           what every check's test starts from: a fresh layer and database, the module under
                          check, the check's clock

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
