"""PRISMA 2020 flow counts, computed from identification counts and screening decisions.

The table has columns ``stream, box, count``.  Streams and boxes:

``databases``
    The left column of the PRISMA 2020 diagram, *identification of studies via
    databases and registers*.  ``records_identified`` counts the records from
    databases; records from registers are counted in the ``registers`` stream
    and join this column from ``duplicates_removed`` on.
``registers``
    Only ``records_identified`` (and per register): the "Registers (n = )"
    line of the left column's first box.  Always present (0 when no register
    was searched), as the template asks.
``other_methods``
    The right column, *identification of studies via other methods* (citation
    and hand searching, websites, organisations).  The PRISMA 2020 template
    has no screening box in this column, but such records are screened all
    the same (the reference review: 476 records identified, 4 reports sought);
    srma reports ``duplicates_removed`` (records that duplicate a database
    work, or each other), ``records_screened`` and ``records_excluded`` for
    this column too, and the diagram draws them.
``total``
    ``studies_included``, ``reports_included`` and ``awaiting_classification``
    of the whole review (the diagram's last box).

Per stream (``databases`` and ``other_methods``), in order:

=================================  ==========================================================
box                                meaning
=================================  ==========================================================
records_identified                 records in the exports of the stream's sources
records_identified:<name>          ... per database / register / other method (as configured)
duplicates_removed                 records removed as duplicates
records_removed_other              records removed for other reasons (rejected at import)
records_screened                   unique works screened on title/abstract
records_excluded                   ... excluded at title/abstract
reports_sought                     works included at title/abstract (full text sought)
reports_not_retrieved              full-text exclusions whose reason means "not retrieved"
reports_assessed                   reports with a full-text decision (include or exclude)
reports_excluded                   ... excluded at full text
reports_excluded:<reason>          ... per reason (most frequent first)
reports_included                   ... included at full text
studies_included                   studies whose included reports come from this stream
                                   (a study with reports in both streams counts under
                                   ``databases``, so the streams add up to the total)
awaiting_classification            works still undecided (only with ``allow_pending``)
awaiting_classification:<stage>    ... at title_abstract and at full_text
=================================  ==========================================================

:func:`check_flow` asserts the arithmetic of the flow: each box equals the
boxes that feed it, and raises :class:`~srma.errors.ConsistencyError` naming
the box when it does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import pandas as pd
import pandera.pandas as pa

from srma.errors import ConsistencyError
from srma.screening.decide import STREAMS
from srma.screening.reports import study_map, tally_reasons

COUNT_COLUMNS: list[str] = ["stream", "box", "count"]

#: The two columns of the diagram, and the ``total`` pseudo-stream.
COLUMNS: tuple[str, ...] = ("databases", "other_methods")
TABLE_STREAMS: tuple[str, ...] = ("databases", "registers", "other_methods", "total")

#: Boxes of each column, in flow order (sub-boxes ``box:<name>`` follow their box).
BOXES: tuple[str, ...] = (
    "records_identified",
    "duplicates_removed",
    "records_removed_other",
    "records_screened",
    "records_excluded",
    "reports_sought",
    "reports_not_retrieved",
    "reports_assessed",
    "reports_excluded",
    "reports_included",
    "studies_included",
    "awaiting_classification",
)
TOTAL_BOXES: tuple[str, ...] = ("studies_included", "reports_included", "awaiting_classification")


class IdentificationSchema(pa.DataFrameModel):
    """Records identified per source (one row per export or other method).

    ``records_identified`` counts every record of the export, including those
    rejected at import, which are ``records_removed_other``.  The
    ``counts`` table of :func:`srma.dedup.deduplicate` fits (its extra columns
    are ignored) once the rejected records are added to it.  A blank
    ``database`` is replaced by the ``source_id``.

    ``duplicates_removed`` is optional: when given for every source of a
    column it is checked against the works screened (records identified −
    duplicates − other removals = records screened); when absent it is
    derived from that equation.
    """

    stream: str = pa.Field(isin=list(STREAMS))
    database: str = pa.Field(str_matches=r"\S")
    records_identified: int = pa.Field(ge=0)
    duplicates_removed: Optional[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)  # noqa: UP045
    records_removed_other: Optional[int] = pa.Field(ge=0)  # noqa: UP045

    class Config:
        strict = "filter"
        coerce = True


class PrismaCountsSchema(pa.DataFrameModel):
    """The PRISMA counts table."""

    stream: str = pa.Field(isin=list(TABLE_STREAMS))
    box: str
    count: int = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        coerce = True
        unique = ["stream", "box"]


def _column_of(stream: str) -> str:
    return "other_methods" if stream == "other_methods" else "databases"


def _per_name(ident: pd.DataFrame) -> list[tuple[str, int]]:
    """Records per database name, in order of first appearance."""
    order: dict[str, int] = {}
    for name, n in zip(ident["database"], ident["records_identified"], strict=True):
        order[str(name)] = order.get(str(name), 0) + int(n)
    return list(order.items())


def prisma_counts(
    identification: pd.DataFrame,
    decisions: pd.DataFrame,
    studies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """PRISMA 2020 counts (see the module for every box).

    Parameters
    ----------
    identification
        One row per source: ``stream`` (databases, registers, other_methods),
        ``database`` (the name shown in the diagram), ``records_identified``;
        optionally ``duplicates_removed`` and ``records_removed_other``.
        Other columns are ignored.
    decisions
        Final screening decisions (``ScreeningResult.decisions``).
    studies
        Optional ``work_id, study_id`` mapping of reports to studies.

    Returns
    -------
    pandas.DataFrame
        ``stream, box, count``, in the module's order; the flow is checked.
    """
    ident = identification.copy()
    if "database" in ident.columns:  # a source whose export names no database
        blank = ident["database"].isna() | (ident["database"].astype(str).str.strip() == "")
        fallback = ident["source_id"] if "source_id" in ident.columns else "unnamed source"
        ident["database"] = ident["database"].where(~blank, fallback)
    if "records_removed_other" in ident.columns:
        ident["records_removed_other"] = ident["records_removed_other"].fillna(0)
    ident = IdentificationSchema.validate(ident)
    if "records_removed_other" not in ident.columns:
        ident["records_removed_other"] = 0
    if "duplicates_removed" not in ident.columns:
        ident["duplicates_removed"] = pd.array([pd.NA] * len(ident), dtype="Int64")
    dec = decisions.assign(column=decisions["stream"].map(_column_of))
    ta = dec[dec["stage"] == "title_abstract"]
    ft = dec[dec["stage"] == "full_text"]

    mapping = study_map(decisions, studies)
    home: dict[str, str] = {}
    included = ft[ft["decision"] == "include"]
    for work_id, column in zip(included["work_id"], included["column"], strict=True):
        study = mapping[work_id]
        if home.get(study) != "databases":
            home[study] = column

    rows: list[tuple[str, str, int]] = []
    for column in COLUMNS:
        streams = ("databases", "registers") if column == "databases" else ("other_methods",)
        src = ident[ident["stream"].isin(streams)]
        own = ident[ident["stream"] == column]
        identified_all = int(src["records_identified"].sum())
        screened = int((ta["column"] == column).sum())
        removed_other = int(src["records_removed_other"].sum())
        if len(src) and src["duplicates_removed"].notna().all():
            duplicates = int(src["duplicates_removed"].sum())
        else:
            duplicates = identified_all - removed_other - screened
            if duplicates < 0:
                raise ConsistencyError(
                    f"PRISMA flow broken at {column}/duplicates_removed: {screened} works are "
                    f"screened but only {identified_all} records were identified "
                    f"({removed_other} removed before screening)"
                )
        c_ta = ta[ta["column"] == column]
        c_ft = ft[ft["column"] == column]
        ft_excluded = c_ft[c_ft["decision"] == "exclude"]
        awaiting_ta = int((c_ta["decision"] == "awaiting").sum())
        awaiting_ft = int((c_ft["decision"] == "awaiting").sum())

        rows.append((column, "records_identified", int(own["records_identified"].sum())))
        rows += [(column, f"records_identified:{n}", c) for n, c in _per_name(own)]
        if column == "databases":
            reg = ident[ident["stream"] == "registers"]
            rows.append(("registers", "records_identified", int(reg["records_identified"].sum())))
            rows += [("registers", f"records_identified:{n}", c) for n, c in _per_name(reg)]
        rows += [
            (column, "duplicates_removed", duplicates),
            (column, "records_removed_other", removed_other),
            (column, "records_screened", screened),
            (column, "records_excluded", int((c_ta["decision"] == "exclude").sum())),
            (column, "reports_sought", int((c_ta["decision"] == "include").sum())),
            (column, "reports_not_retrieved", int((c_ft["decision"] == "not_retrieved").sum())),
            (column, "reports_assessed", int(c_ft["decision"].isin(["include", "exclude"]).sum())),
            (column, "reports_excluded", len(ft_excluded)),
        ]
        rows += [
            (column, f"reports_excluded:{reason}", n)
            for reason, n in tally_reasons(ft_excluded["reason"].dropna())
        ]
        rows += [
            (column, "reports_included", int((c_ft["decision"] == "include").sum())),
            (column, "studies_included", sum(1 for h in home.values() if h == column)),
            (column, "awaiting_classification", awaiting_ta + awaiting_ft),
            (column, "awaiting_classification:title_abstract", awaiting_ta),
            (column, "awaiting_classification:full_text", awaiting_ft),
        ]
    by_box: dict[str, int] = {}
    for stream, box, n in rows:
        if stream in COLUMNS and box in TOTAL_BOXES:
            by_box[box] = by_box.get(box, 0) + n
    rows += [("total", box, by_box.get(box, 0)) for box in TOTAL_BOXES]
    order = {s: i for i, s in enumerate(TABLE_STREAMS)}
    rows = sorted(rows, key=lambda r: order[r[0]])  # stable: flow order within a stream
    counts = pd.DataFrame(rows, columns=COUNT_COLUMNS)
    counts = PrismaCountsSchema.validate(counts)
    check_flow(counts)
    return counts


def as_mapping(counts: pd.DataFrame) -> dict[tuple[str, str], int]:
    """``{(stream, box): count}``."""
    return {
        (str(s), str(b)): int(c)
        for s, b, c in zip(counts["stream"], counts["box"], counts["count"], strict=True)
    }


def get(counts: pd.DataFrame | Mapping[tuple[str, str], int], stream: str, box: str) -> int:
    """One count; 0 when the box is absent."""
    table = counts if isinstance(counts, Mapping) else as_mapping(counts)
    return int(table.get((stream, box), 0))


def sub_boxes(
    counts: pd.DataFrame | Mapping[tuple[str, str], int], stream: str, box: str
) -> list[tuple[str, int]]:
    """``[(name, count), ...]`` of the ``box:<name>`` rows of a stream, in table order."""
    table = counts if isinstance(counts, Mapping) else as_mapping(counts)
    prefix = f"{box}:"
    return [
        (b[len(prefix) :], n) for (s, b), n in table.items() if s == stream and b.startswith(prefix)
    ]


def _fail(stream: str, box: str, expected: int, actual: int, how: str) -> ConsistencyError:
    return ConsistencyError(
        f"PRISMA flow broken at {stream}/{box}: {how} = {expected}, but {box} = {actual}"
    )


def check_flow(counts: pd.DataFrame) -> None:
    """Assert the arithmetic of the PRISMA flow.

    Raises
    ------
    ConsistencyError
        Naming the first box that does not equal the boxes feeding it.
    """
    table = as_mapping(counts)
    for (stream, box), n in table.items():
        if n < 0:
            raise ConsistencyError(f"PRISMA count {stream}/{box} is negative ({n})")

    def g(stream: str, box: str) -> int:
        return get(table, stream, box)

    def check(stream: str, box: str, expected: int, how: str) -> None:
        actual = g(stream, box)
        if actual != expected:
            raise _fail(stream, box, expected, actual, how)

    def subs(stream: str, box: str) -> int:
        return sum(n for _, n in sub_boxes(table, stream, box))

    id_streams = {"databases": ("databases", "registers"), "other_methods": ("other_methods",)}
    for stream in ("databases", "registers", "other_methods"):
        if sub_boxes(table, stream, "records_identified") or g(stream, "records_identified"):
            check(
                stream,
                "records_identified",
                subs(stream, "records_identified"),
                "the sum of records identified per source",
            )
    for column in COLUMNS:
        identified = sum(g(s, "records_identified") for s in id_streams[column])
        check(
            column,
            "records_screened",
            identified - g(column, "duplicates_removed") - g(column, "records_removed_other"),
            "records identified − duplicates removed − records removed for other reasons",
        )
        check(
            column,
            "records_screened",
            g(column, "records_excluded")
            + g(column, "reports_sought")
            + g(column, "awaiting_classification:title_abstract"),
            "records excluded + reports sought + awaiting classification at title/abstract",
        )
        check(
            column,
            "reports_sought",
            g(column, "reports_not_retrieved")
            + g(column, "reports_assessed")
            + g(column, "awaiting_classification:full_text"),
            "reports not retrieved + reports assessed + awaiting classification at full text",
        )
        check(
            column,
            "reports_assessed",
            g(column, "reports_excluded") + g(column, "reports_included"),
            "reports excluded + reports included",
        )
        check(
            column,
            "reports_excluded",
            subs(column, "reports_excluded"),
            "the sum of reports excluded per reason",
        )
        check(
            column,
            "awaiting_classification",
            subs(column, "awaiting_classification"),
            "the sum of works awaiting classification per stage",
        )
        if g(column, "studies_included") > g(column, "reports_included"):
            raise ConsistencyError(
                f"PRISMA flow broken at {column}/studies_included: "
                f"{g(column, 'studies_included')} studies from "
                f"{g(column, 'reports_included')} included reports"
            )
    for box in TOTAL_BOXES:
        check("total", box, sum(g(c, box) for c in COLUMNS), f"the sum of {box} over the streams")


def counts_summary(counts: pd.DataFrame) -> dict[str, Any]:
    """A nested ``{stream: {box: count}}`` view, e.g. for a JSON report."""
    out: dict[str, dict[str, int]] = {}
    for (stream, box), n in as_mapping(counts).items():
        out.setdefault(stream, {})[box] = n
    return out
