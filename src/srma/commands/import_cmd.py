"""``srma import``: convert database exports to the normalised record table."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from srma.conservation import check_hits, check_import
from srma.errors import InputError
from srma.io import FORMATS, read_export, source_id_from_path, write_csv, write_parquet
from srma.io.tables import write_xlsx
from srma.records import RecordSchema, empty_records

HELP = "convert database exports (RIS, nbib, WoS, CSV, BibTeX, ...) to the record table"
DESCRIPTION = """\
Read one or more bibliographic database exports, recognise each file's format
from its content, and write all records to one table (CSV, Parquet or XLSX,
chosen by the extension of --out). The source id of each file is its name
without extension, in lower case with other characters replaced by '_'.
In CSV and XLSX, authors and keywords are '; '-joined."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``import`` sub-command."""
    parser = subparsers.add_parser(
        "import",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path, help="export file(s)")
    parser.add_argument(
        "--out",
        "-o",
        required=True,
        type=Path,
        help="output table: .csv, .parquet or .xlsx",
    )
    parser.add_argument(
        "--format",
        default="auto",
        choices=["auto", *FORMATS],
        help="format of the input files (default: recognise from the content)",
    )
    parser.add_argument(
        "--on-error",
        default="stop",
        choices=["stop", "skip"],
        help="stop at unreadable records (default) or set them aside and go on",
    )
    parser.add_argument(
        "--database",
        default=None,
        help="database name for every record (default: as the export names it)",
    )
    parser.add_argument(
        "--records",
        type=int,
        nargs="+",
        default=None,
        metavar="N",
        help="the number of records each database reported for the search, one per file: "
        "an export holding another number is an error (a download cut off between records)",
    )
    parser.add_argument(
        "--rejected",
        type=Path,
        default=None,
        help="with --on-error skip: write the records set aside to this table",
    )
    parser.set_defaults(func=run)


def _writer(path: Path):  # type: ignore[no-untyped-def]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_csv
    if suffix == ".parquet":
        return write_parquet
    if suffix == ".xlsx":
        return write_xlsx
    raise InputError(
        "unknown output format",
        value=str(path),
        hint="give --out a name ending in .csv, .parquet or .xlsx",
    )


def run(args: argparse.Namespace) -> int:
    """Import every file and write the combined table; return the exit status."""
    write = _writer(args.out)
    write_rejected = _writer(args.rejected) if args.rejected is not None else None
    seen: dict[str, Path] = {}
    ids = []
    for path in args.files:
        source_id = source_id_from_path(path)
        ids.append(source_id)
        if source_id in seen:
            raise InputError(
                f"two files give the same source id {source_id!r}: {seen[source_id]} and {path}",
                file=str(path),
                hint="rename one of them so their names differ in more than punctuation or case",
            )
        seen[source_id] = path
    if args.records is not None and len(args.records) != len(args.files):
        raise InputError(
            f"--records gives {len(args.records)} counts for {len(args.files)} files",
            value=" ".join(map(str, args.records)),
            hint="give one count per file, in the order of the files",
        )
    hits = args.records or [None] * len(args.files)
    tables = []
    rejected = []
    for path, source_id, expected in zip(args.files, ids, hits, strict=True):
        result = read_export(
            path,
            source_id=source_id,
            database=args.database,
            format=args.format,
            on_error=args.on_error,
        )
        check_import(result)
        check_hits(result, expected, column="--records", where_counted="--records")
        line = f"{path}: {result.n_records} records read ({result.format}, {result.encoding})"
        if result.n_rejected:
            line += f", {result.n_rejected} rejected"
        print(line)
        for row in result.rejected.head(5).itertuples(index=False):
            print(f"  rejected: line {row.line}: {row.reason}")
        tables.append(result.records)
        rejected.append(result.rejected)
    records = pd.concat(tables, ignore_index=True) if tables else empty_records()
    records = RecordSchema.validate(records)
    write(records, args.out)
    total_rejected = sum(len(r) for r in rejected)
    summary = f"{len(records)} records from {len(args.files)} file(s) written to {args.out}"
    if total_rejected:
        summary += f"; {total_rejected} rejected"
        if write_rejected is not None:
            write_rejected(pd.concat(rejected, ignore_index=True), args.rejected)
            summary += f" (written to {args.rejected})"
    print(summary)
    return 0
