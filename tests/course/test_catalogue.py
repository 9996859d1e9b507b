"""Each lesson is described beside its text: lessons/NN-slug.toml, read by course/catalogue.py.

A text without a record (or a record without a text) is a lesson half added; a
record's field the reader does not know is refused with the file's name, not
dropped, so a typo cannot hide a route or a file from the page.
"""

import pytest

from course import catalogue
from course.catalogue import LESSONS, REPO_DIR, TEXTS_DIR, read_lesson

TEXTS = sorted(path.stem for path in TEXTS_DIR.glob("[0-9][0-9]-*.md"))
RECORDS = sorted(path.stem for path in TEXTS_DIR.glob(catalogue.RECORD_GLOB))


def test_every_lesson_text_has_its_record_beside_it_and_every_record_its_text():
    assert RECORDS == TEXTS


def test_the_lessons_are_read_in_order_of_their_numbers_one_each():
    numbers = [lesson.number for lesson in LESSONS]
    assert numbers == [f"{n:02d}" for n in range(len(LESSONS))]


def test_a_record_reads_into_its_lesson_with_number_slug_and_routes(tmp_path):
    record = tmp_path / "42-a-lesson.toml"
    record.write_text(
        'title = "A lesson"\napps = ["tests"]\nfiles = ["tests/conftest.py"]\n\n'
        '[[routes]]\npath = "ws/a/"\nsummary = "an echo"\nkind = "sse"\n',
        encoding="utf-8",
    )
    lesson = read_lesson(record)
    assert (lesson.number, lesson.slug, lesson.title) == ("42", "a-lesson", "A lesson")
    assert [(route.path, route.kind, route.sample) for route in lesson.routes] == [("ws/a/", "sse", "hello")]
    assert lesson.text_path == TEXTS_DIR / "42-a-lesson.md"


def test_a_record_with_a_field_the_reader_does_not_know_is_refused_by_name(tmp_path):
    record = tmp_path / "42-a-lesson.toml"
    record.write_text('title = "A lesson"\napps = ["tests"]\nfiles = []\nroute = []\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"42-a-lesson.toml: unknown fields \['route'\]"):
        read_lesson(record)


def test_a_route_with_a_key_the_reader_does_not_know_is_refused_by_name(tmp_path):
    record = tmp_path / "42-a-lesson.toml"
    record.write_text(
        'title = "A"\napps = ["tests"]\nfiles = []\n[[routes]]\npath = "ws/a/"\nsummary = "s"\nsmaple = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="42-a-lesson.toml: a \\[\\[routes\\]\\] table has .*smaple"):
        read_lesson(record)


def test_the_catalogue_module_is_the_dataclasses_and_the_reader_only():
    lines = len((REPO_DIR / "course" / "catalogue.py").read_text(encoding="utf-8").splitlines())
    assert lines < 200, f"course/catalogue.py has {lines} lines: a lesson's record belongs in its lessons/NN-slug.toml"
