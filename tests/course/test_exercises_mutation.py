"""The kit's second proof, cosmic-ray (course/kit/mutation.py): each record describes the current code and explains
every survivor; one exercise's record is run again for real on every CI run."""

import importlib.util
from pathlib import Path

import pytest

from course.kit import mutation
from course.kit.registry import EXERCISES, get_exercise
from harness.patience import patient

EACH = pytest.mark.parametrize("exercise", EXERCISES, ids=[exercise.id for exercise in EXERCISES])


@EACH
def test_every_exercise_has_a_mutation_record_of_its_current_solution_and_check(exercise):
    record = mutation.read_record(exercise)
    assert record, f"no meta/mutation.toml: run `python -m course.kit.mutation {exercise.id} --record`"
    current = (
        mutation.digest(exercise.solution_path),
        mutation.digest(exercise.check_path),
        mutation.run_digest(exercise),
    )
    assert (record["solution_sha256"], record["check_sha256"], record.get("probes_sha256")) == current, (
        f"meta/mutation.toml was made for another solution, check or probes: run `python -m course.kit.mutation "
        f"{exercise.id} --record` again (a probe or battery module its check runs changed too)"
    )


@EACH
def test_every_surviving_mutant_is_recorded_as_equivalent_with_its_reason(exercise):
    record = mutation.read_record(exercise)
    equivalent = record.get("equivalent", [])
    assert record.get("killed", 0) + len(equivalent) == record.get("mutants", 0), "a survivor is not explained"
    assert all(len(entry.get("why", "")) > 15 for entry in equivalent), "an equivalent mutant without its reason"


@EACH
def test_every_check_kills_at_least_ninety_percent_of_its_mutants(exercise):
    record = mutation.read_record(exercise)
    assert record.get("killed", 0) >= 0.9 * record.get("mutants", 0)


@pytest.mark.slow
@pytest.mark.timeout(patient(300))
@pytest.mark.skipif(importlib.util.find_spec("cosmic_ray") is None, reason="cosmic-ray missing: make kit-mutation")
def test_a_recorded_run_holds_when_cosmic_ray_runs_it_again():
    exercise = get_exercise("04.2")
    report = mutation.run(exercise)
    record = mutation.read_record(exercise)
    assert (len(report.mutants), report.killed) == (record["mutants"], record["killed"])
    assert report.unexplained == []


def test_the_kit_readme_shows_the_table_the_records_make_now():
    readme = (Path(mutation.__file__).parent / "README.md").read_text(encoding="utf-8")
    assert mutation.recorded_table() in readme, (
        "course/kit/README.md's mutation table is out of date: paste `python -m course.kit.mutation --table` into it"
    )


def test_a_record_covers_the_probes_its_check_runs_and_no_other():
    runs = {
        path.relative_to(mutation.REPO_DIR).as_posix()
        for path in mutation.modules_run_by(get_exercise("01.4").check_path)
    }
    # in_its_group_once_open is imported from exercises.probes, defined in joining.py; the battery from its lines
    assert {"exercises/probes/joining.py", "exercises/probes/sync_consumers.py", "exercises/battery/sockets.py"} <= runs
    assert "exercises/probes/rooms.py" not in runs  # 04.3-04.5's rooms: a change there leaves 01.4's record true
