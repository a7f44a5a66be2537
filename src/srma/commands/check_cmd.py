"""``srma check``: check a review folder's configuration and inputs without running them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

HELP = "check a review's configuration and input tables without running the workflow"
DESCRIPTION = """\
Read the configuration and every input the workflow would read (search
exports, de-duplication decisions, screening logs, consensus, reports-to-studies
mapping, extraction tables) and list every problem at once, each with file,
line or row, column, value and what to do. Nothing is written. Exit status 0
when the inputs are clean, 2 when there are problems."""


def register(subparsers: Any) -> None:
    """Add the ``check`` sub-command."""
    p = subparsers.add_parser(
        "check",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "directory",
        type=Path,
        nargs="?",
        default=Path("."),
        metavar="DIR",
        help="the review folder (default: the current folder)",
    )
    p.set_defaults(func=run)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def run(args: argparse.Namespace) -> int:
    from srma.review import check_review

    report = check_review(args.directory)
    where = "this folder" if args.directory == Path(".") else f"{args.directory}"
    print(f"Checked the review in {where}:")
    width = max((len(f.path) for f in report.files), default=0)
    for f in report.files:
        detail = f": {f.detail}" if f.detail else ""
        print(f"  {f.path:<{width}}  {f.status}{detail}")
    for heading, items in (("Notes:", report.notes), ("Next:", report.next_steps)):
        if items:
            print(heading)
            for item in items:
                print(f"  - {_sentence(item)}")
    error = report.error()
    if error is not None:
        raise error
    print("No problems found.")
    return 0
