"""What the benchmarks' command lines share: on/off options, and the sections --only chooses."""

import argparse
import json
import os
from collections.abc import Callable, Collection
from pathlib import Path


def switches(doc: str, argv: list[str], **helps: str) -> argparse.Namespace:
    """Each keyword an on/off option (`reference="..."` is --reference); an unknown one (a typo, --help)
    is answered here, before a server starts."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, help in helps.items():
        parser.add_argument(f"--{name}", action="store_true", help=help)
    return parser.parse_args(argv)


def small_or_reference(
    argv: list[str], arguments: Callable, run: Callable, markdown: Callable, document: Callable, reference: Path
) -> None:
    """A bench's command line with --small and --reference (bench/hostile, bench/tasks): run it on the course's
    settings, print its table and its results as JSON, and with --reference rewrite `reference` from them."""
    args = arguments(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lessons.settings")
    results = run(small=args.small)
    print(markdown(results))
    print(json.dumps(results))
    if args.reference:
        reference.write_text(document(results))


def chosen(parser: argparse.ArgumentParser, only: str, sections: Collection[str]) -> list[str]:
    """--only's comma-separated section names, in the order given; one not in `sections` is the parser's error."""
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = set(names) - set(sections)
    if unknown:
        parser.error(f"--only takes {', '.join(sections)}; got {', '.join(sorted(unknown))}")
    return names
