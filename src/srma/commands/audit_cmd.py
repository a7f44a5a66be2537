"""``srma audit PATH... | --all``: is every output still what its provenance says?"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from srma.errors import InputError
from srma.provenance.audit import audit, find_records, render_text, report_to_json
from srma.provenance.hashing import HashCache
from srma.provenance.records import RESULTS_DIR

HELP = "check outputs against their provenance records, back to the raw exports"
DESCRIPTION = f"""\
Re-hash every file in the lineage of each output (its provenance record
<output>.prov.json, written by the workflow) and show, as a tree, what each
output was made from: output -> rule -> inputs -> ... -> raw files under
data/, with short SHA-256 digests marked OK, CHANGED or MISSING.

PATH is an output, its .prov.json record, or a folder searched for records;
--all audits every record under {RESULTS_DIR}/.

Exit status: 0 everything matches; 1 something is stale (each changed file is
named with every output it affects; rerun the workflow); 2 a record is
missing or damaged, or a lineage stops at a file without a record."""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "audit",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", metavar="PATH", type=Path, help="outputs or records")
    p.add_argument(
        "--all", action="store_true", help=f"audit every *.prov.json under {RESULTS_DIR}/"
    )
    p.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the review folder (default: the working directory)",
    )
    p.add_argument("--json", action="store_true", help="write the report as JSON")
    p.add_argument(
        "-q", "--quiet", action="store_true", help="only the summary, not the lineage trees"
    )
    p.set_defaults(func=run)


def record_files(paths: list[Path], all_: bool, root: Path) -> list[Path]:
    """The records to audit: named ones, those in named folders, and all under results/."""
    if not paths and not all_:
        raise InputError(
            "nothing to audit",
            hint="name outputs or records (srma audit results/figures/prisma/prisma.svg), "
            "or audit everything with srma audit --all",
        )
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += find_records(path)
        else:
            found.append(path)
    if all_:
        found += find_records(root / RESULTS_DIR)
    unique = list(dict.fromkeys(found))
    return unique


def run(args: argparse.Namespace) -> int:
    records = record_files(list(args.paths), args.all, args.root)
    report = audit(records, root=args.root, cache=HashCache())
    if args.json:
        json.dump(report_to_json(report), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(report, trees=not args.quiet))
    return report.exit_code
