"""Every block of every lesson text and NOTES.md is on its page as written (course/render.py).

The fences are read from the Markdown by a scanner of their own, not by the
renderer: each fenced block, in a list item or not, is one <pre> on the page,
in order, with its text unchanged; a Mermaid block is one sequence diagram; a
```text block, and any drawing or listing whatever its fence, is a drawing whose
lines are left whole. A link to a heading
(#the-heading, written for GitHub) lands on an id the page has.
"""

import re
from functools import cache
from html import unescape

import pytest

from course.catalogue import LESSONS, REPO_DIR
from course.render import page_html

DOCS = {lesson.number: lesson.text_path for lesson in LESSONS if lesson.text_path.exists()}
DOCS["NOTES"] = REPO_DIR / "NOTES.md"
OPENING = re.compile(r"^( *)(`{3,}|~{3,})\s*([^`\s]*)")


def fences(text: str) -> list[tuple[str, str]]:
    """(language, text) of each fenced block, its lines less the opening fence's indent (CommonMark's rule)."""
    blocks, lines, index = [], text.split("\n"), 0
    while index < len(lines):
        opening = OPENING.match(lines[index])
        index += 1
        if not opening:
            continue
        indent, marks, language = len(opening[1]), opening[2], opening[3]
        closing = re.compile(rf"^ {{0,3}}{re.escape(marks[0])}{{{len(marks)},}}\s*$")
        body = []
        while index < len(lines) and not closing.match(lines[index].removeprefix(" " * indent)):
            line = lines[index]
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            index += 1
        index += 1
        blocks.append((language, "".join(line + "\n" for line in body)))
    return blocks


def pre_texts(html: str) -> list[str]:
    """The text of each <pre> block, as a reader selects and copies it."""
    return [unescape(re.sub(r"<[^>]+>", "", block)) for block in re.findall(r"<pre\b[^>]*>(.*?)</pre>", html, re.S)]


@cache
def notes_html(text: str) -> str:
    """NOTES.md drawn once for the three tests that read it (the pages keep each lesson's: course/views.py)."""
    return page_html(text)


def rendered(name: str, client) -> str:
    """A lesson's text as its page shows it (the <article>), or NOTES.md as the same renderer draws it."""
    if name == "NOTES":
        return notes_html(DOCS[name].read_text(encoding="utf-8"))
    page = client.get(f"/lessons/{name}/").content.decode()
    return re.search(r'<article id="lesson-text">(.*?)</article>', page, re.S)[1]


@pytest.mark.parametrize("name", DOCS)
def test_every_fenced_block_is_one_pre_on_the_page_with_its_text_unchanged(client, name):
    written = [text for language, text in fences(DOCS[name].read_text(encoding="utf-8")) if language != "mermaid"]
    assert pre_texts(rendered(name, client)) == written


@pytest.mark.parametrize("name", DOCS)
def test_every_mermaid_block_is_one_sequence_diagram(client, name):
    mermaid = [text for language, text in fences(DOCS[name].read_text(encoding="utf-8")) if language == "mermaid"]
    assert len(re.findall(r'<figure class="sequence">', rendered(name, client))) == len(mermaid)


def test_a_fence_inside_a_try_it_step_is_a_code_block_inside_that_step(client):
    html = rendered("17", client)
    steps = re.findall(r"<li>(.*?)</li>", html, re.S)
    assert any('<pre><code class="wraps">' in step and "make workshop" in pre_texts(step)[0] for step in steps)


def test_a_text_block_is_a_drawing_whose_lines_are_left_whole():
    html = page_html("```text\n a ---> b\n      <--- c\n```\n")
    assert '<code class="drawing">' in html
    assert 'class="line"' not in html
    assert pre_texts(html) == [" a ---> b\n      <--- c\n"]


@pytest.mark.parametrize(
    "fence",
    [
        "```\nsync_demo/\n    consumers.py    the raw consumers\n```\n",  # a folder's tree
        "```\nworkshop/room.py    reads and writes\nworkshop/join.py    POST /workshop/join/\n```\n",  # a listing
        "```bash\nbrowser  --->  Daphne\n        <---  101\n```\n",  # ASCII arrows, whatever the fence says
        "```python\n# browser ⇄ Daphne ⇄ Redis\n```\n",  # arrow characters
    ],
    ids=["tree", "listing", "ascii-arrows", "arrows"],
)
def test_a_drawing_or_a_listing_keeps_its_lines_whole_whatever_its_fence(fence):
    assert '<code class="drawing">' in page_html(fence)


@pytest.mark.parametrize(
    "fence",
    [
        "```python\ndef name(self) -> str:\n    return self.scope['url_route']  # a comment\n```\n",
        "```markdown\n<!-- bench/scale/reference.md -->\n| a | b |\n```\n",
        "```pycon\n>>> with connect(url) as ws:\n...     ws.send('hello')\n```\n",
    ],
    ids=["annotations", "html-comment", "pycon"],
)
def test_code_that_only_looks_like_a_drawing_still_wraps(fence):
    assert '<code class="wraps">' in page_html(fence)


@pytest.mark.parametrize("name", DOCS)
def test_every_link_to_a_heading_lands_on_an_id_of_the_page(client, name):
    html = rendered(name, client)
    targets = set(re.findall(r'href="#([^"]+)"', html))
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert targets - ids == set()
