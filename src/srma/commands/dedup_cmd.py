"""``srma dedup``: de-duplicate exports and write the duplicate groups.

Reads every export format :func:`srma.io.read_export` knows, and the record files
of the labelled de-duplication benchmarks (``records_pre_merged.csv`` of
bib-dedupe, ASySD's ``labelled_test_set.csv``), detected by their columns.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from srma.errors import InputError

HELP = "group duplicate records of one or more exports into works"
DESCRIPTION = """\
Group the records of one or more exports into works and write the groups of
duplicates, one group per row (column merged_ids, record ids joined by ';').
Pairs the rules cannot settle are never merged: write them with --uncertain,
decide them in a decisions table (pair_id, decision same/different, reviewer,
note) and pass it back with --decisions."""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "dedup",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", type=Path, help="exports to de-duplicate")
    p.add_argument(
        "--groups", required=True, type=Path, metavar="OUT.csv", help="where to write the groups"
    )
    p.add_argument("--decisions", type=Path, metavar="D.csv", help="reviewers' decisions on pairs")
    p.add_argument("--uncertain", type=Path, metavar="U.csv", help="write the unsettled pairs here")
    p.add_argument(
        "--stale", type=Path, metavar="S.csv", help="write decisions about absent records here"
    )
    p.add_argument(
        "--stream",
        action="append",
        default=[],
        metavar="SOURCE=STREAM",
        help="PRISMA stream of a source (file stem): databases (default), registers or "
        "other_methods; repeat for several sources",
    )
    p.set_defaults(func=run)


def source_id_for(path: Path, taken: set[str]) -> str:
    """A source id (``^[a-z0-9_]+$``) from a file name, unique among ``taken``.

    >>> source_id_for(Path("PubMed export (2).nbib"), set())
    'pubmed_export_2'
    """
    base = re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_") or "source"
    sid, k = base, 2
    while sid in taken:
        sid, k = f"{base}_{k}", k + 1
    taken.add(sid)
    return sid


def _read(path: Path, source_id: str) -> pd.DataFrame:
    from srma.dedup.benchmark_io import is_benchmark_csv, read_benchmark_csv

    if not path.is_file():
        raise InputError("file not found", file=str(path), hint="check the path")
    if is_benchmark_csv(path):
        return read_benchmark_csv(path, source_id)
    try:
        from srma.io import read_export  # type: ignore[attr-defined]
    except ImportError as exc:  # the readers are not in this checkout
        raise InputError(
            "cannot read this export: the export readers (srma.io) are not installed",
            file=str(path),
            hint="pass a CSV with the columns ID, title, author of the dedup benchmarks",
        ) from exc
    return read_export(path, source_id=source_id).records


def _streams(specs: list[str], sources: list[str]) -> dict[str, str]:
    streams = dict.fromkeys(sources, "databases")
    for spec in specs:
        if "=" not in spec:
            raise InputError(
                "--stream needs SOURCE=STREAM",
                value=spec,
                hint="for example --stream citations=other_methods",
            )
        source, stream = (x.strip() for x in spec.split("=", 1))
        if source not in streams:
            raise InputError(
                f"--stream names an unknown source {source!r}",
                value=spec,
                hint=f"sources are the file stems: {', '.join(sources)}",
            )
        streams[source] = stream
    return streams


def run(args: argparse.Namespace) -> int:
    from srma.conservation import check_deduplication
    from srma.dedup import deduplicate
    from srma.dedup.benchmark_io import write_groups

    taken: set[str] = set()
    frames = []
    imported: dict[str, int] = {}  # records read per source, for the conservation check
    for path in args.files:
        source_id = source_id_for(path, taken)
        frames.append(_read(path, source_id))
        imported[source_id] = len(frames[-1])
    records = pd.concat(frames, ignore_index=True)
    dup = records["record_id"][records["record_id"].duplicated()]
    if len(dup):
        raise InputError(
            "the same record id appears in two inputs",
            value=dup.iloc[0],
            hint="record ids must be unique across all files given together",
        )
    decisions = None
    if args.decisions is not None:
        from srma.io.tables import read_table

        if not args.decisions.is_file():
            raise InputError("decisions file not found", file=str(args.decisions))
        # CSV or XLSX, any encoding srma reads; a bad file is an InputError, not a traceback
        decisions = read_table(args.decisions)
    sources = list(dict.fromkeys(records["source_id"]))
    res = deduplicate(
        records,
        streams=_streams(args.stream, sources),
        decisions=decisions,
        progress=sys.stderr.isatty(),
    )
    # benchmark files keep their own record ids, so the source of each id is passed
    source_of = dict(zip(records["record_id"], records["source_id"], strict=True))
    check_deduplication(imported, res.works, res.duplicates, res.counts, source_of=source_of)
    from srma.io.tables import write_csv

    write_groups(res.groups(), args.groups)
    # titles are data, never formulas: write_csv neutralises '=', '+', '-', '@'
    if args.uncertain is not None:
        write_csv(res.uncertain, args.uncertain)
    if args.stale is not None:
        write_csv(res.stale_decisions, args.stale)
    print(
        f"{len(records)} records, {len(res.works)} works, {len(res.duplicates)} duplicates "
        f"removed, {len(res.uncertain)} uncertain pairs"
        + (f", {len(res.stale_decisions)} stale decisions" if len(res.stale_decisions) else ""),
        file=sys.stderr,
    )
    if len(res.stale_decisions) and args.stale is None:
        print(
            "srma: warning: some decisions name records absent from these inputs "
            "(write them with --stale)",
            file=sys.stderr,
        )
    return 0
