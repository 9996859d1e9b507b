"""The course pages' structure, read over Django's test client: no browser, so fast.

Each lesson ends with its neighbours, named and linked; the index links each
title; every id on a page is unique (a link to #exercise-list lands where it
says) and every <nav> has a name; the icon is served; long code lines are ready
to wrap and table cells know their column (course/render.py). A rendered text
is kept, keyed by the text, so an edit shows on the next load.
"""

import re
from collections import Counter

import pytest
from django.utils.html import escape

from course import catalogue
from course.catalogue import LESSONS

PAGES = ["/", *(lesson.page_url for lesson in LESSONS)]
NEIGHBOURS = [
    (LESSONS[i], LESSONS[i - 1] if i else None, LESSONS[i + 1] if i + 1 < len(LESSONS) else None)
    for i in range(len(LESSONS))
]


def end_pager(page: str) -> str:
    """The <nav> after the lesson text: its previous and next links."""
    match = re.search(r'<nav class="pager end"[^>]*>(.*?)</nav>', page, re.S)
    assert match, "no pager after the lesson text"
    return match[1]


@pytest.mark.parametrize(("lesson", "previous", "following"), NEIGHBOURS, ids=[lesson.number for lesson in LESSONS])
def test_a_lesson_ends_with_links_to_the_lessons_before_and_after_it(client, lesson, previous, following):
    pager = end_pager(client.get(lesson.page_url).content.decode())
    links = dict(re.findall(r'<a class="(previous|next)" href="([^"]+)">', pager))
    assert links.get("previous") == (previous.page_url if previous else None)
    assert links.get("next") == (following.page_url if following else None)
    for neighbour in filter(None, (previous, following)):
        assert f"{neighbour.number} · {escape(neighbour.title)}" in pager


def test_the_index_links_each_lesson_title_to_its_page(client):
    page = client.get("/").content.decode()
    for lesson in LESSONS:
        assert f'<td class="title"><a href="{lesson.page_url}">{escape(lesson.title)}</a></td>' in page


@pytest.mark.parametrize("path", PAGES)
def test_no_id_appears_twice_on_a_page(client, path):
    ids = Counter(re.findall(r'\sid="([^"]+)"', client.get(path).content.decode()))
    assert [name for name, count in ids.items() if count > 1] == []


@pytest.mark.parametrize("path", PAGES)
def test_every_nav_on_a_page_has_a_name_of_its_own(client, path):
    navs = re.findall(r"<nav\b[^>]*>", client.get(path).content.decode())
    names = [re.search(r'aria-label="([^"]+)"', nav) for nav in navs]
    assert all(names), f"a <nav> without aria-label: {navs}"
    assert len({name[1] for name in names}) == len(names)


def test_the_exercises_link_of_a_lesson_without_a_live_client_lands_on_its_exercises(client):
    lesson = next(lesson for lesson in LESSONS if not lesson.routes and lesson.exercises)
    page = client.get(lesson.page_url).content.decode()
    assert '<a class="to-client" href="#exercise-list">exercises ↓</a>' in page
    assert '<section id="exercise-list">' in page


def test_the_favicon_is_served_and_every_page_names_it(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in icon.content
    for path in ["/", LESSONS[0].page_url]:
        assert (
            '<link rel="icon" href="/static/course/favicon.svg" type="image/svg+xml">'
            in client.get(path).content.decode()
        )


def test_a_code_block_is_a_line_a_span_each_with_its_indent(client):
    page = client.get("/lessons/01/").content.decode()
    block = re.search(r'<code class="wraps">(.*?)</code></pre>', page, re.S)[1]
    lines = re.findall(r'<span class="line" style="--indent: (\d+)ch">(.*?)\n</span>', block, re.S)
    assert len(lines) == block.count("\n") > 1
    assert any(int(indent) > 0 for indent, _ in lines)
    for indent, line in lines:
        text = re.sub(r"<[^>]+>", "", line)
        assert int(indent) == min(len(text) - len(text.lstrip(" ")), 24)


def test_a_drawing_in_box_characters_is_left_whole_to_scroll(client):
    pages = [client.get(lesson.page_url).content.decode() for lesson in LESSONS]
    blocks = [block for page in pages for block in re.findall(r'<code class="(\w+)">(.*?)</code>', page, re.S)]
    boxed = [(kind, text) for kind, text in blocks if "─" in text or "│" in text]
    assert boxed and all(kind == "drawing" and '<span class="line"' not in text for kind, text in boxed)


def test_every_cell_of_a_lesson_table_names_its_column(client):
    page = client.get("/lessons/15/").content.decode()
    table = re.search(r"<table>(.*?)</table>", page, re.S)[1]
    headers = [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th\b[^>]*>(.*?)</th>", table, re.S)]
    for row in re.findall(r"<tr>(.*?)</tr>", table.partition("</thead>")[2], re.S):
        assert re.findall(r'<td data-label="([^"]*)"', row) == headers[: row.count("<td")]


def test_an_edited_lesson_text_shows_on_the_next_load(client, tmp_path, monkeypatch):
    lesson = LESSONS[1]
    monkeypatch.setattr(catalogue, "TEXTS_DIR", tmp_path)
    lesson.text_path.write_text("# The lesson\n\nThe first words.\n", encoding="utf-8")
    assert "The first words." in client.get(lesson.page_url).content.decode()
    lesson.text_path.write_text("# The lesson\n\nThe second words.\n", encoding="utf-8")
    page = client.get(lesson.page_url).content.decode()
    assert "The second words." in page
    assert "The first words." not in page
