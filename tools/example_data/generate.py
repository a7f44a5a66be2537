"""Generate the example review's raw search exports and their truth files.

The example review is Goh, Ow Yong & Li (2023), Front. Psychiatry 14:1162288.
Its 14 included studies carry their real bibliographic data (from the paper's
reference list); every other record is synthetic and marked so (DOIs under
10.5555, a "synthetic record (srma example data)" note where the format has a
note field).  The counts are the paper's PRISMA flow: 1,093 database records
that de-duplicate to 168 works, and 476 records from citation and hand searching.

Usage (from the repository root)::

    python tools/example_data/generate.py            # writes data/exports/ and truth/
    python tools/example_data/generate.py --out DIR --truth DIR

Running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # allow `python tools/example_data/generate.py` and imports
    sys.path.insert(0, str(HERE))

from formats import RENDERERS  # noqa: E402
from plan import (  # noqa: E402
    SOURCES,
    RecordPlan,
    plan_coverage,
    plan_database_records,
    plan_other_records,
)
from works import Work, build_works, check_roles  # noqa: E402

REPO = HERE.parents[1]
DEFAULT_OUT = REPO / "data" / "exports"
DEFAULT_TRUTH = HERE / "truth"

RECORD_COLUMNS = [
    "source_id",
    "position",
    "record_id",
    "work_key",
    "stream",
    "role",
    "is_synthetic",
    "variant",
]
WORK_COLUMNS = [
    "work_key",
    "stream",
    "role",
    "fulltext_exclusion_reason",
    "kind",
    "title",
    "first_author",
    "year",
    "journal",
    "doi",
    "ref",
    "table1_id",
    "is_synthetic",
    "databases",
    "n_records",
    "related",
]


def plan_all() -> tuple[list[Work], dict[str, list[RecordPlan]]]:
    """Build the works and decide every record of every file."""
    works = build_works()
    check_roles(works)
    plan_coverage(works)
    plans = plan_database_records(works)
    plans.update(plan_other_records(works))
    return works, {s: plans[s] for s in SOURCES}


def csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def truth_records(plans: dict[str, list[RecordPlan]]) -> bytes:
    rows = []
    for source, records in plans.items():
        for r in records:
            rows.append(
                [
                    source,
                    r.position,
                    f"{source}:{r.position}",
                    r.work.key,
                    r.stream,
                    r.work.role,
                    str(r.work.is_synthetic).lower(),
                    r.variant,
                ]
            )
    return csv_bytes(RECORD_COLUMNS, rows)


def truth_works(works: list[Work], plans: dict[str, list[RecordPlan]]) -> bytes:
    n_records: dict[str, int] = {}
    for records in plans.values():
        for r in records:
            n_records[r.work.key] = n_records.get(r.work.key, 0) + 1
    rows = []
    for w in sorted(works, key=lambda w: (w.stream != "databases", w.key)):
        first = w.authors[0] if w.authors else None
        rows.append(
            [
                w.key,
                w.stream,
                w.role,
                w.ft_reason,
                w.kind,
                w.title,
                f"{first.surname} {first.initials}" if first else "",
                w.year,
                w.journal.name
                if w.kind not in ("chapter", "report")
                else (w.book_title or w.publisher or ""),
                w.doi or "",
                w.ref or "",
                w.table1_id or "",
                str(w.is_synthetic).lower(),
                ";".join(w.coverage),
                n_records.get(w.key, 0),
                w.related,
            ]
        )
    return csv_bytes(WORK_COLUMNS, rows)


def generate(out_dir: Path = DEFAULT_OUT, truth_dir: Path = DEFAULT_TRUTH) -> dict[str, int]:
    """Write every export into ``out_dir`` and the truth tables into ``truth_dir``.

    Returns the number of records written per source.
    """
    works, plans = plan_all()
    out_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for source, records in plans.items():
        name = SOURCES[source][2]
        (out_dir / name).write_bytes(RENDERERS[source](records))
        counts[source] = len(records)
    (truth_dir / "records.csv").write_bytes(truth_records(plans))
    (truth_dir / "works.csv").write_bytes(truth_works(works, plans))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="export folder")
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH, help="truth folder")
    args = parser.parse_args(argv)
    counts = generate(args.out, args.truth)
    for source, n in counts.items():
        print(f"{SOURCES[source][2]:<24} {n:>5} records")
    print(f"{'total':<24} {sum(counts.values()):>5} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
