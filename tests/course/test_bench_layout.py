"""bench/ keeps one folder per question, each with its entry point in bench/README.md's table of contents."""

import argparse
import ast
import importlib
import re

import pytest

from bench.common.options import chosen
from course.catalogue import REPO_DIR

BENCH_DIR = REPO_DIR / "bench"
README = (BENCH_DIR / "README.md").read_text(encoding="utf-8")
FOLDERS = sorted(path.name for path in BENCH_DIR.iterdir() if (path / "__init__.py").exists())
# The files a folder keeps: its code and its committed runs, not a run's own results (git ignores those).
FILES = sorted(
    path.relative_to(BENCH_DIR).as_posix()
    for path in BENCH_DIR.glob("*/*")
    if path.suffix in {".py", ".md", ".json"} and path.name != "__init__.py" and not path.name.startswith("results-")
)


def contents_row(folder: str) -> list[str]:
    """The cells of the table of contents' row for `folder`, or [] when it has none."""
    row = re.search(rf"^\| `{folder}/` \|(.*)\|$", README, re.M)
    return [cell.strip() for cell in row[1].split("|")] if row else []


def test_bench_holds_only_its_readme_and_its_folders_at_the_top():
    assert sorted(path.name for path in BENCH_DIR.glob("*.*")) == ["README.md", "__init__.py"]


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_bench_folder_has_a_row_in_the_readmes_table_of_contents(folder):
    question, entry_point, reference, quoted_by = contents_row(folder)
    assert all([question, entry_point, reference, quoted_by])


@pytest.mark.parametrize("folder", [folder for folder in FOLDERS if folder != "common"])
def test_each_question_folders_entry_point_in_the_readme_exists(folder):
    entry_point = contents_row(folder)[1]
    paths = re.findall(r"bench/[\w/]+\.py", entry_point)
    modules = re.findall(r"python -m (bench[\w.]+)", entry_point)
    tests = re.findall(r"tests/[\w/]+\.py", entry_point)
    named = [REPO_DIR / path for path in paths + tests] + [REPO_DIR / module.replace(".", "/") for module in modules]
    assert named and all(path.exists() or path.with_suffix(".py").exists() for path in named), entry_point


@pytest.mark.parametrize("name", FILES)
def test_every_file_in_a_bench_folder_is_named_in_the_readme(name):
    assert f"`{name}`" in README


def test_no_function_in_bench_runs_past_60_lines():
    long = []
    for source in BENCH_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 60:
                long.append(f"{source.relative_to(REPO_DIR)}:{node.lineno} {node.name}")
    assert long == []


@pytest.mark.parametrize("module", ["bench.servers.run", "bench.hostile.run"])
def test_a_bench_that_starts_servers_answers_an_unknown_option_before_it_starts_one(module):
    # Both once read sys.argv by hand, so `--help` (or a typo) ran the whole benchmark.
    arguments = importlib.import_module(module).arguments
    with pytest.raises(SystemExit) as refused:
        arguments(["--quik"])
    assert refused.value.code == 2


def test_only_keeps_the_sections_given_in_order_and_refuses_an_unknown_one():
    parser = argparse.ArgumentParser()
    assert chosen(parser, " cost, echo ,", ("echo", "cost")) == ["cost", "echo"]
    with pytest.raises(SystemExit):
        chosen(parser, "echo,ecko", ("echo", "cost"))
