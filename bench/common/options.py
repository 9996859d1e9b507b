"""The command line of a benchmark that takes a few on/off options and starts servers."""

import argparse


def switches(doc: str, argv: list[str], **helps: str) -> argparse.Namespace:
    """Each keyword an on/off option (`reference="..."` is --reference); an unknown one (a typo, --help)
    is answered here, before a server starts."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, help in helps.items():
        parser.add_argument(f"--{name}", action="store_true", help=help)
    return parser.parse_args(argv)
