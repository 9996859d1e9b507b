"""The lesson texts, NOTES.md and the code's own comments stay true to the code they quote and name."""

import re
import tokenize
from pathlib import Path

import pytest

from course.catalogue import LESSONS, REPO_DIR

DOCS = sorted(REPO_DIR.glob("lessons/[0-9][0-9]-*.md")) + [p for p in [REPO_DIR / "NOTES.md"] if p.exists()]
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S)
HEADER = re.compile(r"^(?:#|//|<!--)\s*([\w./@-]+\.(?:py|js|html|css|md|toml|txt|conf|service))\s*(?:-->)?\s*$")
PATH_MENTION = re.compile(
    r"(?<![/\w])((?:lessons|course|sync_demo|async_demo|layers_demo|auth_demo|db_demo|http_demo|tasks_demo|workshop|harness|exercises|tests|bench|deploy)/[\w./@-]+\.(?:py|html|js|md|json|conf|service))\b"
)
# The course's own Python files: their comments and docstrings name paths too.
# (.venv is skipped before it is walked: its thousands of files cost every run a quarter second.)
SOURCES = sorted(
    path
    for top in REPO_DIR.iterdir()
    if top.is_dir() and top.name not in {".venv", ".venv-django6", ".git", "node_modules"}
    for path in top.rglob("*.py")
) + sorted(REPO_DIR.glob("*.py"))
TEST_MENTION = re.compile(r"\b(tests/(?:course/)?test_\w+\.py)::(test_\w+)")


def quoted_blocks(doc: Path) -> list[tuple[str, str]]:
    """(path, code) for every fenced block whose first line names a file."""
    blocks = []
    for match in FENCE.finditer(doc.read_text(encoding="utf-8")):
        first, _, rest = match.group(1).partition("\n")
        header = HEADER.match(first.strip())
        if header:
            blocks.append((header.group(1), rest))
    return blocks


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_quoted_code_is_identical_to_the_file_it_names(doc):
    not_in_their_file = [
        f"{path}:\n{code}"
        for path, code in quoted_blocks(doc)
        if code not in (REPO_DIR / path).read_text(encoding="utf-8")
    ]
    assert not_in_their_file == [], f"{doc.name} quotes lines that are not in the file it names"


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_path_a_document_names_exists(doc):
    missing = sorted({p for p in PATH_MENTION.findall(doc.read_text(encoding="utf-8")) if not (REPO_DIR / p).exists()})
    assert missing == [], f"{doc.name} names files that do not exist"


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_test_a_document_names_exists(doc):
    missing = [
        f"{path}::{name}"
        for path, name in TEST_MENTION.findall(doc.read_text(encoding="utf-8"))
        if not re.search(rf"^(async )?def {name}\(", (REPO_DIR / path).read_text(encoding="utf-8"), re.M)
    ]
    assert missing == [], f"{doc.name} names tests that do not exist"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.number for lesson in LESSONS])
def test_a_written_lesson_ends_with_its_own_test_command(lesson):
    if not lesson.text_path.exists():
        pytest.skip(f"{lesson.text_path.name} is not written yet")
    assert lesson.test_command in lesson.text_path.read_text(encoding="utf-8")


def comments_and_docstrings(source: Path) -> str:
    """The prose of a Python file: its comments and triple-quoted strings (not string literals such as template names)."""
    with source.open("rb") as file:
        tokens = tokenize.tokenize(file.readline)
        return "\n".join(
            token.string
            for token in tokens
            if token.type == tokenize.COMMENT
            or (token.type == tokenize.STRING and token.string.lstrip("rbuf").startswith(('"""', "'''")))
        )


def missing_paths(text: str) -> set[str]:
    return {path for path in PATH_MENTION.findall(text) if not (REPO_DIR / path).exists()}


def test_every_path_a_python_file_names_exists():
    # A path missing from a file's prose is missing from its whole text: only a file whose text
    # names one is tokenized (464 files took 1 s to tokenize, most of them naming no path at all).
    missing = {
        str(source.relative_to(REPO_DIR)): sorted(missing_paths(comments_and_docstrings(source)))
        for source in SOURCES
        if missing_paths(source.read_text(encoding="utf-8"))
    }
    assert {source: paths for source, paths in missing.items() if paths} == {}, "these name files that do not exist"


def test_the_notes_quote_the_million_socket_plan_as_the_model_prints_it(capsys):
    from bench.capacity import cli as capacity

    notes = (REPO_DIR / "NOTES.md").read_text(encoding="utf-8")
    command = (
        "--sockets 1000000 --room-size 50 --broadcasts 2000 --cores-per-process 1 --memory-gb 16 --open-files 65536"
    )
    quoted = notes.split(f"$ python -m bench.capacity {command}\n", 1)[1].split("```", 1)[0]
    capacity.main(command.split())
    assert quoted == capsys.readouterr().out


# A step's command that starts a server (a code line or inline code, from "## Try it" on), and the
# port it takes: runserver's and daphne's default is 8000, the port `make run` holds (-u: a Unix socket).
SERVER_START = re.compile(
    r"(?:^\s*(?:\$ )?|`)(?:\w+=\S+ )*(?:\.venv/bin/)?"
    r"(?:python manage\.py runserver(?: \S*?:?(\d{4})\b)?|daphne(?: -b \S+)?(?: -p (\d{4}))?(?= -[^u]| lessons))",
    re.M,
)


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_a_step_that_starts_a_server_on_make_runs_port_first_says_to_stop_it(doc):
    text = doc.read_text(encoding="utf-8")
    clashing = []
    for start in SERVER_START.finditer(text, max(0, text.find("\n## Try it"))):
        before = text[max(0, start.start() - 800) : start.start()]
        if (start.group(1) or start.group(2) or "8000") == "8000" and not ("make run" in before and "Ctrl-C" in before):
            clashing.append(text[start.start() : text.index("\n", start.end())].strip())
    assert clashing == [], f"{doc.name}: these take port 8000, which `make run` holds; say to stop it (Ctrl-C) first"
