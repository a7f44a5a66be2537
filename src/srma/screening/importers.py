"""Importers: screening tools' exports -> srma screening log / consensus rows.

Every importer matches the export's records to the works (DOI, then PMID,
then normalised title + year: :mod:`srma.screening.match`).  A record that
carries a decision but matches no work (or several) stops the import with
the list of them (file, row, title, why); with ``on_unmatched="report"`` they
are returned in :attr:`ImportedScreening.unmatched` instead.  Records
without any decision that do not match are listed there too, but never stop
the import.

What is supported
-----------------
Rayyan (CSV export, ``notes`` column)
    ``RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Excluded"}`` gives one
    log row per reviewer (Included / Excluded / Maybe).  Segments are
    separated by ``" | "``.  ``RAYYAN-EXCLUSION-REASONS: a,b`` belongs to the
    record, not to a reviewer: it becomes the reason of every reviewer who
    excluded (several reasons are joined with ``"; "``; a ``__EXR__`` prefix is
    dropped).  ``RAYYAN-LABELS`` and ``USER-NOTES`` go to the note.  Rayyan does
    not export the stage or the time of a decision: the caller gives the stage.
Covidence (CSV "Export references" of one list)
    Covidence exports the *references in a list*, after it has combined the
    votes and settled conflicts, not the individual votes.  So one export is
    one (stage, decision) and becomes **consensus** rows (or, with
    ``reviewer=``, log rows of that single reviewer):

    ========================================  ==============  =========
    Covidence list exported                   stage           decision
    ========================================  ==============  =========
    Title and abstract screening: Irrelevant  title_abstract  exclude
    Full text review (passed screening)       title_abstract  include
    Full text review: Excluded                full_text       exclude
    Included                                  full_text       include
    ========================================  ==============  =========

    The full-text exclusion reason is read from the ``Notes`` column
    (``Exclusion reason: Wrong study design;``) or from a column named
    ``Exclusion reason``; ``Tags`` go to the note.  Agreement (kappa) cannot
    be computed from these exports.
ASReview LAB (CSV/XLSX export of a project)
    The label column (``asreview_label``, ``included``, ``label``,
    ``label_included``, ``included_label``, ``final_included``, ...) holds
    1 (relevant -> include), 0 (irrelevant -> exclude) or nothing (not
    screened, skipped).  ``asreview_time`` and ``asreview_note`` are kept when
    present.  ASReview projects have one screener: the caller names them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from srma.errors import InputError, Problem
from srma.screening.match import match_records
from srma.screening.rules import CONSENSUS_DECISIONS, DECISIONS, STAGES
from srma.screening.schema import (
    CONSENSUS_COLUMNS,
    LOG_COLUMNS,
    ConsensusSchema,
    ScreeningLogSchema,
    canonical_column,
    canonical_decision,
    canonical_stage,
    empty_consensus,
    empty_log,
    excel_row,
    parse_time,
)

UNMATCHED_COLUMNS: list[str] = [
    "file",
    "row",
    "record",
    "title",
    "year",
    "doi",
    "pmid",
    "has_decision",
    "problem",
]

OnUnmatched = Literal["stop", "report"]
Source = str | Path | pd.DataFrame


@dataclass(frozen=True)
class ImportedScreening:
    """What an importer produced.

    Attributes
    ----------
    log
        Reviewer decisions (:data:`~srma.screening.schema.LOG_COLUMNS`).
    consensus
        Settled decisions (:data:`~srma.screening.schema.CONSENSUS_COLUMNS`).
    unmatched
        Records that matched no work or several (:data:`UNMATCHED_COLUMNS`).
    """

    log: pd.DataFrame
    consensus: pd.DataFrame
    unmatched: pd.DataFrame


# --------------------------------------------------------------------------- common


def _load(source: Source, file: str | None) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        frame, name = source.copy(), file or "<table>"
    else:
        from srma.screening.read import read_table

        frame, name = read_table(source), file or str(source)
    frame = frame.rename(columns={c: canonical_column(c) for c in frame.columns})
    frame.index = pd.RangeIndex(len(frame))
    return frame, name


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or None


def _column(frame: pd.DataFrame, *names: str) -> pd.Series:
    """The first of ``names`` that is a column, as stripped text or None (object dtype)."""
    for name in names:
        if name in frame.columns:
            return pd.Series([_cell(v) for v in frame[name]], index=frame.index, dtype=object)
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _require(frame: pd.DataFrame, file: str, what: str, *alternatives: Sequence[str]) -> None:
    problems = []
    for names in alternatives:
        if not any(n in frame.columns for n in names):
            problems.append(
                Problem(
                    f"the {what} has no column {names[0]!r}",
                    file=file,
                    row=1,
                    column=names[0],
                    hint=f"is this a {what}? Expected one of the columns {', '.join(names)}",
                )
            )
    if problems:
        raise InputError(problems=problems)


def _check_stage(stage: str) -> str:
    canon = canonical_stage(stage)
    if canon not in STAGES:
        raise InputError(
            f"unknown screening stage {stage!r}", value=stage, hint=f"use {' or '.join(STAGES)}"
        )
    return canon


def _records(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title": _column(frame, "title", "primary_title"),
            "year": _column(frame, "year", "published_year", "publication_year", "py"),
            "doi": _column(frame, "doi"),
            "pmid": _column(frame, "pmid", "pubmed_id"),
        },
        index=frame.index,
    )


def _unmatched_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=UNMATCHED_COLUMNS)
    frame["row"] = frame["row"].astype("int64")
    frame["has_decision"] = frame["has_decision"].astype(bool)
    return frame


def _finish(
    *,
    file: str,
    log_rows: list[dict[str, Any]],
    consensus_rows: list[dict[str, Any]],
    unmatched: list[dict[str, Any]],
    problems: list[Problem],
    on_unmatched: OnUnmatched,
) -> ImportedScreening:
    if on_unmatched not in ("stop", "report"):
        raise ValueError("on_unmatched must be 'stop' or 'report'")
    if on_unmatched == "stop":
        for rec in unmatched:
            if rec["has_decision"]:
                problems.append(
                    Problem(
                        f"record {rec['record']!r} does not match a work: {rec['problem']}",
                        file=file,
                        row=rec["row"],
                        column="title",
                        value=rec["title"],
                        hint="check that its export is among the review's sources, or give its "
                        "work_id by hand in a screening log",
                    )
                )
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise InputError(problems=problems)
    log = empty_log()
    if log_rows:
        log = pd.DataFrame(log_rows, columns=LOG_COLUMNS)
        log["time"] = pd.to_datetime(log["time"]).astype("datetime64[ns]")
        log["row"] = log["row"].astype("Int64")
        log = ScreeningLogSchema.validate(log)
    consensus = empty_consensus()
    if consensus_rows:
        consensus = pd.DataFrame(consensus_rows, columns=CONSENSUS_COLUMNS)
        consensus["row"] = consensus["row"].astype("Int64")
        consensus = ConsensusSchema.validate(consensus)
    return ImportedScreening(log=log, consensus=consensus, unmatched=_unmatched_frame(unmatched))


def _match(frame: pd.DataFrame, works: pd.DataFrame) -> pd.DataFrame:
    records = _records(frame)
    matched = match_records(records, works)
    return records.join(matched)


def _unmatched_row(
    file: str, i: int, record: str, rec: pd.Series, has_decision: bool
) -> dict[str, Any]:
    return {
        "file": file,
        "row": excel_row(i),
        "record": record,
        "title": rec["title"],
        "year": rec["year"],
        "doi": rec["doi"],
        "pmid": rec["pmid"],
        "has_decision": has_decision,
        "problem": rec["match_problem"],
    }


def _reason_problem(file: str, i: int, column: str, record: str) -> Problem:
    return Problem(
        f"record {record!r} is excluded at full text without a reason",
        file=file,
        row=excel_row(i),
        column=column,
        hint="record the exclusion reason in the screening tool and export again, or settle "
        "it in the consensus file",
    )


# --------------------------------------------------------------------------- Rayyan

_SEGMENT_SPLIT = re.compile(r"\s*\|\s*(?=[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*:)")
_SEGMENT = re.compile(r"^([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*):\s*(.*)$", re.DOTALL)
_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*"((?:[^"\\]|\\.)*)"')
_RAYYAN_DECISIONS = {"included": "include", "excluded": "exclude", "maybe": "maybe"}


@dataclass(frozen=True)
class RayyanNotes:
    """The parts of a Rayyan ``notes`` cell."""

    inclusion: dict[str, str]
    exclusion_reasons: list[str]
    labels: list[str]
    user_notes: str | None
    other: str | None


def parse_rayyan_notes(text: str | None) -> RayyanNotes:
    """Split a Rayyan ``notes`` cell into decisions, reasons, labels and notes."""
    inclusion: dict[str, str] = {}
    reasons: list[str] = []
    labels: list[str] = []
    user_notes = None
    other: list[str] = []
    if not isinstance(text, str) or not text.strip():
        return RayyanNotes(inclusion, reasons, labels, None, None)
    text = re.sub(r"</?p>", " ", text)
    for segment in _SEGMENT_SPLIT.split(text.strip()):
        segment = segment.strip()
        if not segment:
            continue
        m = _SEGMENT.match(segment)
        if not m:
            other.append(segment)
            continue
        key, body = m.group(1), m.group(2).strip()
        if key == "RAYYAN-INCLUSION":
            if not inclusion:  # the first inclusion segment is the current one
                inclusion = {k.strip(): v.strip() for k, v in _PAIR.findall(body)}
        elif key == "RAYYAN-EXCLUSION-REASONS":
            reasons += [_strip_exr(r) for r in body.split(",") if r.strip()]
        elif key == "RAYYAN-LABELS":
            labels += [r.strip() for r in body.split(",") if r.strip()]
        elif key == "USER-NOTES":
            user_notes = body or None
        else:
            other.append(segment)
    return RayyanNotes(inclusion, reasons, labels, user_notes, " | ".join(other) or None)


def _strip_exr(reason: str) -> str:
    return re.sub(r"^__EXR__", "", reason.strip()).strip()


def import_rayyan(
    source: Source,
    works: pd.DataFrame,
    *,
    stage: str = "title_abstract",
    file: str | None = None,
    on_unmatched: OnUnmatched = "stop",
) -> ImportedScreening:
    """Import a Rayyan CSV export (see the module for what is read).

    Parameters
    ----------
    source
        Path of the export, or the table already read (strings).
    works
        The works table (``work_id``, ``title``, ``year``, ``doi``, ``pmid``).
    stage
        The stage the Rayyan review screened.
    file
        Name used in messages and in the ``file`` column (default: the path).
    on_unmatched
        ``"stop"`` (default): a record with decisions that matches no work is an
        error; ``"report"``: return it in ``unmatched``.
    """
    stage = _check_stage(stage)
    frame, file = _load(source, file)
    _require(frame, file, "Rayyan export", ("notes",), ("title",))
    matched = _match(frame, works)
    keys = _column(frame, "key")
    notes = _column(frame, "notes")
    log_rows: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i in frame.index:
        parsed = parse_rayyan_notes(notes[i])
        record = keys[i] or f"row {excel_row(i)}"
        rec = matched.loc[i]
        decisions: dict[str, str] = {}
        for reviewer, value in parsed.inclusion.items():
            decision = _RAYYAN_DECISIONS.get(value.strip().lower())
            if decision is None:
                problems.append(
                    Problem(
                        f"unknown Rayyan decision {value!r} of reviewer {reviewer!r}",
                        file=file,
                        row=excel_row(i),
                        column="notes",
                        value=value,
                        hint="Rayyan decisions are Included, Excluded or Maybe",
                    )
                )
                continue
            decisions[reviewer] = decision
        if rec["work_id"] is None:
            unmatched.append(_unmatched_row(file, i, record, rec, bool(decisions)))
            continue
        reason = "; ".join(parsed.exclusion_reasons) or None
        note_parts = []
        if parsed.labels:
            note_parts.append("labels: " + ", ".join(parsed.labels))
        if parsed.user_notes:
            note_parts.append("notes: " + parsed.user_notes)
        note = "; ".join(note_parts) or None
        for reviewer, decision in sorted(decisions.items()):
            this_reason = reason if decision == "exclude" else None
            if stage == "full_text" and decision == "exclude" and this_reason is None:
                problems.append(_reason_problem(file, i, "notes", record))
                continue
            log_rows.append(
                {
                    "work_id": rec["work_id"],
                    "stage": stage,
                    "reviewer": reviewer,
                    "decision": decision,
                    "reason": this_reason,
                    "note": note,
                    "time": pd.NaT,
                    "file": file,
                    "row": excel_row(i),
                }
            )
    return _finish(
        file=file,
        log_rows=log_rows,
        consensus_rows=[],
        unmatched=unmatched,
        problems=problems,
        on_unmatched=on_unmatched,
    )


# --------------------------------------------------------------------------- Covidence

_COVIDENCE_REASON = re.compile(r"Exclusion reason:\s*([^;\n]+)", re.IGNORECASE)


def import_covidence(
    source: Source,
    works: pd.DataFrame,
    *,
    stage: str,
    decision: str,
    reviewer: str | None = None,
    file: str | None = None,
    on_unmatched: OnUnmatched = "stop",
) -> ImportedScreening:
    """Import a Covidence "Export references" CSV of one list (see the module).

    Parameters
    ----------
    stage, decision
        The stage and decision the exported list stands for, e.g.
        ``stage="full_text", decision="exclude"`` for the full-text *Excluded*
        list.
    reviewer
        If given, the rows become that reviewer's log rows (single-reviewer
        screening); otherwise consensus rows.
    """
    stage = _check_stage(stage)
    canon = canonical_decision(decision)
    allowed = DECISIONS if reviewer else CONSENSUS_DECISIONS
    if canon not in allowed:
        raise InputError(
            f"unknown decision {decision!r} for a Covidence list",
            value=decision,
            hint=f"use one of {', '.join(allowed)}",
        )
    frame, file = _load(source, file)
    _require(frame, file, "Covidence export", ("title",), ("covidence_#", "covidence", "ref"))
    matched = _match(frame, works)
    ids = _column(frame, "covidence_#", "covidence", "ref")
    notes = _column(frame, "notes")
    explicit = _column(frame, "exclusion_reason", "reason")
    tags = _column(frame, "tags")
    log_rows: list[dict[str, Any]] = []
    consensus_rows: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i in frame.index:
        rec = matched.loc[i]
        record = ids[i] or f"row {excel_row(i)}"
        if rec["work_id"] is None:
            unmatched.append(_unmatched_row(file, i, record, rec, True))
            continue
        reason = explicit[i]
        if reason is None and notes[i]:
            found = _COVIDENCE_REASON.findall(notes[i])
            reason = "; ".join(r.strip() for r in found if r.strip()) or None
        if canon != "exclude":
            reason = None
        if stage == "full_text" and canon == "exclude" and reason is None:
            problems.append(_reason_problem(file, i, "notes", record))
            continue
        note = f"tags: {tags[i]}" if tags[i] else None
        base = {
            "work_id": rec["work_id"],
            "stage": stage,
            "decision": canon,
            "reason": reason,
            "note": note,
            "file": file,
            "row": excel_row(i),
        }
        if reviewer:
            log_rows.append({**base, "reviewer": reviewer, "time": pd.NaT})
        else:
            consensus_rows.append(base)
    return _finish(
        file=file,
        log_rows=log_rows,
        consensus_rows=consensus_rows,
        unmatched=unmatched,
        problems=problems,
        on_unmatched=on_unmatched,
    )


# --------------------------------------------------------------------------- ASReview

#: ASReview's names for the label column, in its own order of preference.
ASREVIEW_LABEL_COLUMNS: tuple[str, ...] = (
    "asreview_label",
    "included",
    "label",
    "final_included",
    "label_included",
    "included_label",
    "included_final",
    "included_flag",
    "include",
)
_ASREVIEW_VALUES = {
    "1": "include",
    "1.0": "include",
    "true": "include",
    "0": "exclude",
    "0.0": "exclude",
    "false": "exclude",
    "-1": None,
    "-1.0": None,
}


def import_asreview(
    source: Source,
    works: pd.DataFrame,
    *,
    reviewer: str,
    stage: str = "title_abstract",
    file: str | None = None,
    on_unmatched: OnUnmatched = "stop",
) -> ImportedScreening:
    """Import an ASReview LAB export (see the module).

    Parameters
    ----------
    reviewer
        Who screened in this ASReview project.
    stage
        The stage screened (ASReview is mostly used for title/abstract).
    """
    stage = _check_stage(stage)
    if not str(reviewer).strip():
        raise InputError("the ASReview importer needs the reviewer's name", value=reviewer)
    frame, file = _load(source, file)
    _require(frame, file, "ASReview export", ASREVIEW_LABEL_COLUMNS, ("title", "primary_title"))
    label_col = next(c for c in ASREVIEW_LABEL_COLUMNS if c in frame.columns)
    labels = _column(frame, label_col)
    matched = _match(frame, works)
    ids = _column(frame, "record_id", "id")
    times, _ = parse_time(_column(frame, "asreview_time"))
    notes = _column(frame, "asreview_note", "exported_notes_1")
    log_rows: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i in frame.index:
        value = labels[i]
        if value is None:
            decision = None
        elif value.lower() in _ASREVIEW_VALUES:
            decision = _ASREVIEW_VALUES[value.lower()]
        else:
            problems.append(
                Problem(
                    f"unknown ASReview label {value!r}",
                    file=file,
                    row=excel_row(i),
                    column=label_col,
                    value=value,
                    hint="labels are 1 (relevant), 0 (irrelevant) or empty (not screened)",
                )
            )
            continue
        rec = matched.loc[i]
        record = ids[i] or f"row {excel_row(i)}"
        if rec["work_id"] is None:
            unmatched.append(_unmatched_row(file, i, record, rec, decision is not None))
            continue
        if decision is None:
            continue
        if stage == "full_text" and decision == "exclude" and not notes[i]:
            problems.append(_reason_problem(file, i, "asreview_note", record))
            continue
        log_rows.append(
            {
                "work_id": rec["work_id"],
                "stage": stage,
                "reviewer": str(reviewer).strip(),
                "decision": decision,
                # at full text the note is the only place ASReview has for a reason
                "reason": notes[i] if stage == "full_text" and decision == "exclude" else None,
                "note": notes[i],
                "time": times[i],
                "file": file,
                "row": excel_row(i),
            }
        )
    return _finish(
        file=file,
        log_rows=log_rows,
        consensus_rows=[],
        unmatched=unmatched,
        problems=problems,
        on_unmatched=on_unmatched,
    )
