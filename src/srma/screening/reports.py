"""Tables made from the final decisions: exclusion reasons, included reports and
studies, and screening sheets for what is still to screen or settle."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from srma.errors import InputError, Problem
from srma.screening.decide import ScreeningResult
from srma.screening.rules import STAGES

REASON_COLUMNS: list[str] = ["stream", "stage", "reason", "count"]
INCLUDED_COLUMNS: list[str] = ["study_id", "work_id", "stream", "title", "year", "doi"]
SHEET_COLUMNS: list[str] = [
    "work_id",
    "stage",
    "reviewer",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "abstract",
    "decision",
    "reason",
    "note",
]
CONFLICT_COLUMNS: list[str] = [
    "work_id",
    "stage",
    "votes",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "abstract",
    "decision",
    "reason",
    "note",
]


def reason_key(reason: Any) -> str:
    """Case- and space-insensitive key of a reason."""
    return " ".join(str(reason).split()).casefold()


def tally_reasons(reasons: Iterable[str]) -> list[tuple[str, int]]:
    """Count reasons case-insensitively; each is shown in its most frequent spelling.

    Sorted by count (descending), then reason.
    """
    spellings: dict[str, dict[str, int]] = {}
    for reason in reasons:
        text = " ".join(str(reason).split())
        spellings.setdefault(reason_key(text), {}).setdefault(text, 0)
        spellings[reason_key(text)][text] += 1
    out = []
    for variants in spellings.values():
        shown = sorted(variants.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        out.append((shown, sum(variants.values())))
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def exclusion_reasons(decisions: pd.DataFrame) -> pd.DataFrame:
    """Exclusions with a reason, counted per stream and stage.

    ``not_retrieved`` decisions are counted under their reason too.  Sorted by
    stream, stage, count (descending) and reason.
    """
    rows: list[dict[str, Any]] = []
    excluded = decisions[
        decisions["decision"].isin(["exclude", "not_retrieved"]) & decisions["reason"].notna()
    ]
    for stream in sorted(excluded["stream"].unique()):
        for stage in STAGES:
            part = excluded[(excluded["stream"] == stream) & (excluded["stage"] == stage)]
            for reason, count in tally_reasons(part["reason"]):
                rows.append({"stream": stream, "stage": stage, "reason": reason, "count": count})
    frame = pd.DataFrame(rows, columns=REASON_COLUMNS)
    frame["count"] = frame["count"].astype("int64")
    return frame


def study_map(decisions: pd.DataFrame, studies: pd.DataFrame | None) -> dict[str, str]:
    """``work_id -> study_id`` for the included reports.

    Reports not in ``studies`` are their own study (study id = work id).
    A mapping row for a work that is not in the decisions is an error.
    """
    included = decisions.loc[
        (decisions["stage"] == "full_text") & (decisions["decision"] == "include"), "work_id"
    ]
    mapping = {w: w for w in included}
    if studies is None:
        return mapping
    known = set(decisions["work_id"])
    problems = [
        Problem(
            "the studies file names a work that is not in the review",
            file=studies.attrs.get("source"),
            row=i + 2,
            column="work_id",
            value=w,
            hint="check the work id (the list of included reports shows them), or delete the row",
        )
        for i, w in enumerate(studies["work_id"])
        if w not in known
    ]
    if problems:
        raise InputError(problems=problems)
    given = dict(zip(studies["work_id"], studies["study_id"], strict=True))
    return {w: given.get(w, w) for w in mapping}


def included_reports(
    decisions: pd.DataFrame, works: pd.DataFrame, studies: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The reports included at full text and the study each belongs to.

    Parameters
    ----------
    decisions
        ``ScreeningResult.decisions``.
    works
        The works table (for title, year, doi).
    studies
        Optional ``work_id, study_id`` mapping; unmapped reports are their own study.

    Returns
    -------
    pandas.DataFrame
        :data:`INCLUDED_COLUMNS`, sorted by study, then work.
    """
    mapping = study_map(decisions, studies)
    meta = works.set_index("work_id")
    rows = []
    for work_id, study_id in mapping.items():
        rec = meta.loc[work_id]
        rows.append(
            {
                "study_id": study_id,
                "work_id": work_id,
                "stream": rec["stream"],
                "title": rec.get("title"),
                "year": rec.get("year"),
                "doi": rec.get("doi"),
            }
        )
    frame = pd.DataFrame(rows, columns=INCLUDED_COLUMNS)
    frame["year"] = _year(frame["year"])
    return frame.sort_values(["study_id", "work_id"], kind="stable").reset_index(drop=True)


def _display(works: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    meta = works.set_index("work_id").reindex(ids)
    out = pd.DataFrame({"work_id": ids})
    for col in ("title", "authors", "year", "journal", "doi", "abstract"):
        values = meta[col].tolist() if col in meta.columns else [None] * len(ids)
        if col == "authors":
            values = [_join(v) for v in values]
        out[col] = values
    out["year"] = _year(out["year"])
    return out


def _year(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").round().astype("Int64")


def _join(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return "; ".join(str(v) for v in value)
    except TypeError:
        return None if pd.isna(value) else str(value)


def screening_sheet(
    works: pd.DataFrame,
    result: ScreeningResult,
    stage: str,
    reviewer: str | None = None,
) -> pd.DataFrame:
    """Works still to screen at ``stage``, ready to fill in and read back as a log.

    Parameters
    ----------
    works
        The works table (work_id, title, authors, year, journal, doi, abstract).
    result
        Usually from :func:`~srma.screening.decide.resolve` with
        ``allow_pending=True`` (screening is not finished when a sheet is needed).
    stage
        ``title_abstract`` or ``full_text``.  Full-text sheets only list works
        included at title/abstract.
    reviewer
        If given: the works this reviewer has not decided yet (the reviewer
        column is filled in).  If not: the works with too few decisions.

    Returns
    -------
    pandas.DataFrame
        :data:`SHEET_COLUMNS`, one row per work, sorted by work id, with empty
        decision, reason and note.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    final = result.final(stage)
    waiting = final[final["basis"].isin(["missing", "incomplete"])]
    ids = sorted(waiting["work_id"])
    if reviewer is not None:
        done = set(
            result.log.loc[
                (result.log["stage"] == stage) & (result.log["reviewer"] == reviewer), "work_id"
            ]
        )
        ids = [w for w in ids if w not in done]
    sheet = _display(works, ids)
    sheet.insert(1, "stage", stage)
    sheet.insert(2, "reviewer", reviewer)
    for col in ("decision", "reason", "note"):
        sheet[col] = None
    return sheet[SHEET_COLUMNS].astype({"stage": object, "reviewer": object})


def conflict_sheet(works: pd.DataFrame, result: ScreeningResult) -> pd.DataFrame:
    """Works that need a consensus decision, with the votes; fill in and add the
    rows to the consensus file (the extra columns are ignored when read)."""
    pending = result.decisions[result.decisions["basis"].isin(["conflict", "undecided"])]
    pending = pending.sort_values(["stage", "work_id"], key=_stage_order, kind="stable")
    ids = pending["work_id"].tolist()
    sheet = _display(works, ids)
    sheet.insert(1, "stage", pending["stage"].tolist())
    sheet.insert(2, "votes", pending["votes"].tolist())
    for col in ("decision", "reason", "note"):
        sheet[col] = None
    return sheet[CONFLICT_COLUMNS].reset_index(drop=True)


def _stage_order(series: pd.Series) -> pd.Series:
    if series.name == "stage":
        return series.map({s: i for i, s in enumerate(STAGES)})
    return series
