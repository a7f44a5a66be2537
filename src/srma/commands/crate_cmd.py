"""``srma crate``: the run's results and their provenance as an RO-Crate."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from srma.errors import InputError
from srma.provenance.audit import audit, find_records, render_text
from srma.provenance.records import RESULTS_DIR

HELP = "export the run (results, provenance, raw exports, workflow) as an RO-Crate"
DEFAULT_OUT = Path(RESULTS_DIR) / "crate.zip"
DESCRIPTION = f"""\
Bundle the results of a run with their provenance as an RO-Crate that follows
the Workflow Run Crate profiles (https://w3id.org/ro/wfrun/workflow/0.5):
the Snakefile as the main ComputationalWorkflow, the rule files and config,
one CreateAction per job (the script it ran, its inputs and parameters, its
outputs, start and end times), the raw exports, the results and every
*.prov.json record under {RESULTS_DIR}/.

The run is audited first (as srma audit --all): a stale or broken run is not
exported unless --allow-stale is given."""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "crate",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR|ZIP",
        help=f"a folder, or a file ending in .zip (default: {DEFAULT_OUT} in the review)",
    )
    p.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the review folder (default: the working directory)",
    )
    p.add_argument("--snakefile", default="Snakefile", help="the workflow, relative to --root")
    p.add_argument("--name", help="the crate's name")
    p.add_argument(
        "--license", metavar="URL", help="licence of the crate's content, e.g. an SPDX URL"
    )
    p.add_argument("--allow-stale", action="store_true", help="export even if the audit fails")
    p.add_argument("--force", action="store_true", help="replace an earlier crate at --out")
    p.set_defaults(func=run)


def _prepare(out: Path, force: bool) -> None:
    if not out.exists():
        return
    if out.is_dir() and not any(out.iterdir()):
        return
    if not force:
        raise InputError(
            "the crate's destination already exists",
            file=str(out),
            hint="remove it, choose another --out, or pass --force to replace an earlier crate",
        )
    if out.is_dir():
        if not (out / "ro-crate-metadata.json").exists():
            raise InputError(
                "the destination is a folder that is not an RO-Crate; srma will not replace it",
                file=str(out),
                hint="choose another --out",
            )
        shutil.rmtree(out)
    else:
        out.unlink()


def run(args: argparse.Namespace) -> int:
    from srma.provenance.crate import build_crate, collect_run, write_crate

    root: Path = args.root
    out: Path = args.out if args.out is not None else root / DEFAULT_OUT
    records = find_records(root / RESULTS_DIR)
    report = audit(records, root=root)
    if report.exit_code != 0:
        sys.stderr.write(render_text(report, trees=False))
        if not args.allow_stale:
            print(
                "srma crate: the run does not pass srma audit; fix it, or pass --allow-stale",
                file=sys.stderr,
            )
            return report.exit_code
    _prepare(out, args.force)
    summary = collect_run(report)
    crate = build_crate(summary, snakefile=args.snakefile, name=args.name, license=args.license)
    write_crate(crate, out)
    print(
        f"wrote RO-Crate {out}: {len(summary.jobs)} job(s), {len(summary.files)} file(s), "
        f"{len(summary.records)} provenance record(s)"
    )
    return 0
