"""A lesson text (or NOTES.md) as its page's HTML, read as CommonMark, the way GitHub reads it.

markdown-it-py with GitHub's tables and strikethrough, and GitHub's heading ids
(mdit-py-plugins' anchors: "## Going further (lesson 15) — X" is
#going-further-lesson-15--x, so a link written for the repository lands on the
page too). CommonMark lets a fence sit inside a list item, so a try-it step's
commands are one block on the page, as they are on GitHub
(tests/course/test_pages_markdown.py compares every fence of every text with its
page's <pre> blocks).

Each fence is drawn here, by what it holds more than by its language:
- mermaid: the sequence diagram as SVG (course/sequence.py);
- a drawing or a listing, whatever its fence says (text; box characters or arrows,
  ASCII ones too; a folder's indented tree; a listing of paths, each beside what
  it holds): its lines never wrap, since a wrapped line takes a drawing apart.
  Each is drawn to fit its lesson's column on a 1280x800 laptop, and on a phone it
  scrolls sideways in its box, with pages.js's cue
  (tests/course/test_pages_drawings_slow.py measures both);
- anything else: code, highlighted by Pygments (course/static/course/pygments.css),
  a span a line, so that a long line wraps and its rest hangs under its own start,
  past its indent (course/static/course/style.css).
"""

import re
from functools import cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from course.sequence import svg

# What makes a block a drawing or a listing, whatever its fence says: box characters and arrows (─ │ ┌ ▲ ▶ → ⇄);
# an ASCII arrow (---> or <--, an HTML comment's --> aside); a folder's tree (a line ending in "/" and lines
# indented under it); a listing (two lines or more that start with a path, then two spaces, then what it is).
DRAWING = re.compile("[\u2190-\u21ff\u2500-\u257f\u25a0-\u25ff]")
ASCII_ARROW = re.compile(r"-{2,}>|<-{2,}")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
TREE = re.compile(r"^( *)[^\s#][^\n]*/ *\n\1 +\S", re.M)
LISTED = re.compile(r"^ *[\w.@-]*[\w@][/.][\w./@*<>-]*(?:, [\w./@*-]+)* {2,}\S", re.M)
TAGS = re.compile(r"<[^>]+>")
# A long test id or path in running text (`tests/test_04_….py::test_…`) has no space to wrap at,
# so on a phone it pushed the whole page sideways: a line-break chance after each "/", "::" and "_".
BREAK_AFTER = re.compile(r"(::|/|_)")
LONG_WORD = 30


def lexer(language: str):
    """Pygments' lexer for a fence's language; plain text for none or one Pygments does not know."""
    # stripnl=False: a block's first or last empty line is part of what the text shows.
    try:
        return get_lexer_by_name(language, stripnl=False) if language else TextLexer(stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


def is_drawing(content: str, language: str) -> bool:
    """Whether a fence's lines must stay whole: a drawing or a listing, by its language or by what it holds."""
    if language == "text" or DRAWING.search(content) or ASCII_ARROW.search(HTML_COMMENT.sub("", content)):
        return True
    return bool(TREE.search(content)) or len(LISTED.findall(content)) >= 2


def code_block(content: str, language: str) -> str:
    """One fence as the page draws it: a diagram, a drawing that scrolls, or code whose lines wrap."""
    if language == "mermaid":
        return svg(content)
    code = highlight(content, lexer(language), HtmlFormatter(nowrap=True)) if content else ""
    if is_drawing(content, language):
        return f'<div class="highlight"><pre><code class="drawing">{code}</code></pre></div>\n'
    lines = []
    for line in code.removesuffix("\n").split("\n") if code else []:
        text = TAGS.sub("", line)
        indent = min(len(text) - len(text.lstrip(" ")), 24)
        lines.append(f'<span class="line" style="--indent: {indent}ch">{line}\n</span>')
    return f'<div class="highlight"><pre><code class="wraps">{"".join(lines)}</code></pre></div>\n'


def fence(renderer, tokens, index, options, env) -> str:
    token = tokens[index]
    return code_block(token.content, token.info.split(maxsplit=1)[0] if token.info.strip() else "")


def code_inline(renderer, tokens, index, options, env) -> str:
    from markdown_it.common.utils import escapeHtml

    content = tokens[index].content
    html = escapeHtml(content)
    if len(content) >= LONG_WORD and not any(character.isspace() for character in content):
        html = BREAK_AFTER.sub(r"\1<wbr>", html)
    return f"<code>{html}</code>"


def label_cells(state) -> None:
    """Each table cell names its column (data-label), for the phone, where a row is a card (style.css)."""
    labels: list[str] = []
    column = 0
    for index, token in enumerate(state.tokens):
        if token.type == "thead_open":
            labels = []
        elif token.type == "th_open":
            inline = state.tokens[index + 1]
            labels.append("".join(child.content for child in inline.children or () if child.type != "softbreak"))
        elif token.type == "tr_open":
            column = 0
        elif token.type == "td_open":
            token.attrs = {"data-label": labels[column].strip() if column < len(labels) else "", **token.attrs}
            column += 1


@cache
def markdown():
    """The course's one Markdown: CommonMark, GitHub's tables, strikethrough and heading ids, our fences.

    Made at the first page, not at import: every process that routes a URL imports this module (lessons/urls.py),
    and markdown-it took 60-110 ms to import, paid by each test run and check that never draws a page.
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(anchors_plugin, max_level=6)
    md.add_render_rule("fence", fence)
    md.add_render_rule("code_inline", code_inline)
    md.core.ruler.push("label_cells", label_cells)
    return md


def page_html(text: str) -> str:
    """A lesson text or NOTES.md as HTML."""
    return markdown().render(text)
