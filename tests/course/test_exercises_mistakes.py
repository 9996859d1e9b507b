"""Every exercise's classic mistakes are diffs that say why, apply to the solution and change it.

Each is exercises/NN_K_slug/meta/mistakes/<name>.diff, applied with `git apply` to a
copy of the solution (course/kit/proof.py); whether its check rejects it is the
slow proof's job (tests/course/test_exercises_kit_slow.py).
"""

import dataclasses
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from course.kit import proof
from course.kit.registry import EXERCISES, get_exercise


def mistakes():
    return [(exercise, mistake) for exercise in EXERCISES for mistake in exercise.mistakes]


def test_every_exercise_keeps_at_least_three_mistakes():
    assert [exercise.id for exercise in EXERCISES if len(exercise.mistakes) < 3] == []


def test_every_mistake_says_why_and_what_the_check_says():
    for _, mistake in mistakes():
        assert len(mistake.why) > 20 and mistake.says, f"{mistake.path}: no `# <why>` and `# The check says: ...`"


def test_every_mistake_applies_to_its_solution_and_changes_it(tmp_path):
    patched = proof.apply_mistakes(list(EXERCISES), tmp_path)  # as the kit's proof applies them: in one git apply
    assert sorted(patched) == sorted((exercise.id, mistake.name) for exercise, mistake in mistakes())
    for exercise, mistake in mistakes():
        changed = patched[exercise.id, mistake.name].read_bytes()
        assert changed != exercise.solution_path.read_bytes(), f"{mistake.path} changes nothing"


def test_a_diff_that_no_longer_applies_fails_loudly_naming_its_file(tmp_path):
    exercise = get_exercise("04.2")
    stale = tmp_path / "stale.diff"
    stale.write_text(
        '# why\n# The check says: "x"\n--- a/solution.py\n+++ b/solution.py\n@@ -1,1 +1,1 @@\n-nope\n+yes\n'
    )
    mistake = proof.Mistake(stale, "why", "x")
    with pytest.raises(proof.DiffDoesNotApply, match="stale.diff does not apply"):
        proof.apply_mistake(exercise, mistake, tmp_path)


def test_among_many_diffs_the_one_that_no_longer_applies_is_named(tmp_path):
    exercise = get_exercise("04.2")
    folder = tmp_path / exercise.folder.name
    shutil.copytree(exercise.folder / "meta", folder / "meta")
    (folder / "meta" / "mistakes" / "stale.diff").write_text(
        '# why\n# The check says: "x"\n--- a/solution.py\n+++ b/solution.py\n@@ -1,1 +1,1 @@\n-nope\n+yes\n'
    )
    with pytest.raises(proof.DiffDoesNotApply, match="stale.diff does not apply"):
        proof.apply_mistakes([dataclasses.replace(exercise, folder=folder)], tmp_path / "applied")


def test_a_mistake_told_other_words_runs_again_alone_and_that_verdict_stands(monkeypatch, tmp_path):
    exercise = get_exercise("05.5")
    unsaid, let_through, *_ = exercise.mistakes
    verdicts = {f"05.5/{m.name}": {"05.5": proof.Verdict(True, f"{m.says} in other words")} for m in exercise.mistakes}
    verdicts[f"05.5/{unsaid.name}"] = {"05.5": proof.Verdict(True, "another rule, first")}
    verdicts[f"05.5/{let_through.name}"] = {"05.5": proof.Verdict(False)}
    files = {("05.5", m.name): tmp_path / f"{m.name}.py" for m in exercise.mistakes}
    asked = []

    def run_checks(target, exercises, warm=None):
        asked.append(target)
        return {"05.5": proof.Verdict(True, f"then {unsaid.says}")}

    monkeypatch.setattr(proof, "run_checks", run_checks)
    with ThreadPoolExecutor(2) as pool:
        proof.run_unsaid_again(verdicts, [exercise], files, pool)
    assert asked == [f"05.5={files['05.5', unsaid.name]}"]  # the let-through one is never run again
    assert verdicts[f"05.5/{unsaid.name}"]["05.5"] == proof.Verdict(
        True, f"then {unsaid.says}", first="another rule, first"
    )
    assert verdicts[f"05.5/{let_through.name}"]["05.5"] == proof.Verdict(False)
