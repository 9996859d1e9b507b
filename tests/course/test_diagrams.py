"""The lesson texts' sequence diagrams (`python manage.py diagrams`): drawn from real runs, and kept so."""

import pytest

from course.management.commands import diagrams


@pytest.mark.parametrize(
    "number", [*"01 02 03 04 05 06 07".split(), pytest.param("08", marks=pytest.mark.django_db(transaction=True))]
)
def test_each_lesson_text_holds_the_diagram_a_fresh_run_of_its_flow_draws(number):
    assert diagrams.current(number) == diagrams.draw(number), f"run `python manage.py diagrams {number}`"


def test_a_lesson_page_draws_its_texts_diagram_as_svg(client):
    page = client.get("/lessons/04/").content.decode()
    assert '<figure class="sequence"><svg' in page
    assert "chat.message → chat_message()" in page
    assert "```mermaid" not in page and "sequenceDiagram" not in page
