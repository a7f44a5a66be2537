"""``srma init``: make a new review folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

HELP = "make a new review folder (config, data templates, Snakefile)"
DESCRIPTION = """\
Make a new review folder: a Snakefile that runs srma's workflow, a commented
config/config.yaml (every key explained; the example review's analysis plan),
data/ with an empty, headed template of every input table, templates/ with
each template as CSV and XLSX, a README and a .gitignore. Existing files are
never overwritten. Then: put the search exports in DIR/data/exports/, list
them under `sources:` in the config, and run `srma check` and
`snakemake --cores 4` in DIR."""


def register(subparsers: Any) -> None:
    """Add the ``init`` sub-command."""
    p = subparsers.add_parser(
        "init",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("directory", type=Path, metavar="DIR", help="the folder to make")
    p.add_argument("--title", help="the review's title (default: the folder's name)")
    p.add_argument(
        "--tables",
        choices=["csv", "xlsx"],
        default="csv",
        help="format of the input tables in data/ (default: csv)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from srma.review import init_review

    result = init_review(args.directory, title=args.title, tables=args.tables)
    root = args.directory
    print(f"Made the review folder {root}/ ({len(result.written)} files):")
    shown = [p for p in result.written if not p.startswith("templates/")]
    for rel in shown:
        print(f"  {rel}")
    print(f"  templates/  ({len(result.written) - len(shown)} empty tables, CSV and XLSX)")
    print(
        "Next:\n"
        f"  1. put your search exports in {root}/data/exports/ and list each under `sources:`\n"
        f"     in {root}/config/config.yaml\n"
        f"  2. cd {root} && srma check\n"
        "  3. snakemake --cores 4"
    )
    return 0
