"""Every exercise keeps correct solutions in other styles, and a check that refuses one fails the kit's proof.

Each is exercises/NN_K_slug/meta/alternatives/<style>.py, a whole file, its first line
saying what style it shows and why it is still right; course/kit/proof.py drives the
check at it like any file, and the slow proof wants every one passed
(tests/course/test_exercises_kit_slow.py).
"""

from contextlib import nullcontext
from dataclasses import replace

from course.kit import proof
from course.kit.registry import EXERCISES, get_exercise


def test_every_exercise_keeps_at_least_one_alternative_solution():
    assert [exercise.id for exercise in EXERCISES if not exercise.alternatives] == []


def test_every_alternative_says_on_its_first_line_what_style_it_shows():
    for exercise in EXERCISES:
        for path in exercise.alternatives:
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first.startswith(("# ", '"""')) and len(first) > 30, f"{path}: no one-line style and why on top"


def test_no_alternative_is_a_copy_of_its_solution():
    for exercise in EXERCISES:
        for path in exercise.alternatives:
            assert path.read_bytes() != exercise.solution_path.read_bytes(), f"{path} is the solution again"


def test_an_alternative_its_check_refuses_fails_the_proof_naming_its_file(monkeypatch, tmp_path):
    right, wrong = tmp_path / "right.py", tmp_path / "wrong.py"
    exercise = replace(get_exercise("01.1"), alternatives=(right, wrong))

    def run_checks(target, exercises, warm=None):  # the check refuses the wrong file only
        refuses = f"{exercise.id}={wrong}" in target.split(",")
        return {
            e.id: proof.Verdict(True, "the echo came back changed", "echo") if refuses else proof.Verdict(False)
            for e in exercises
        }

    monkeypatch.setattr(proof, "run_checks", run_checks)
    # No run reaches a pytest process, so no warm interpreter: starting one (and waiting for its imports) was
    # two of this fast file's three seconds.
    monkeypatch.setattr(proof, "WarmRuns", lambda env: nullcontext())
    verdicts = proof.prove_all(workers=2, exercises=[exercise])
    assert verdicts[proof.alternative_target(exercise, right)] == {"01.1": proof.Verdict(False)}
    assert proof.refused_alternatives(verdicts, [exercise]) == {str(wrong): "echo: the echo came back changed"}
