"""Reading and checking the extraction tables together.

:func:`validate_extraction` takes the tables as read (strings) and returns
them typed, or raises one :class:`~srma.errors.InputError` listing every
problem of every table: header, cells, column rules, cross-table rules, and
effect sizes that cannot be computed.  :func:`load_extraction` reads the
files first (CSV or XLSX, :func:`srma.io.tables.read_table`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import pandas as pd

from srma.errors import InputError, Problem
from srma.extraction.checks import (
    effect_problems,
    included_problems,
    outcome_data_problems,
    risk_of_bias_problems,
    study_problems,
)
from srma.extraction.spec import ExtractionSettings, OutcomeSpec
from srma.extraction.tables import (
    ParsedTable,
    parse_included_studies,
    parse_outcome_data,
    parse_risk_of_bias,
    parse_studies,
)
from srma.io.tables import read_table

__all__ = ["Extraction", "load_extraction", "validate_extraction"]

Pathish = str | PathLike[str]


@dataclass(frozen=True)
class Extraction:
    """The checked extraction tables (typed; ``file`` and ``row`` columns kept)."""

    studies: pd.DataFrame
    outcome_data: pd.DataFrame
    risk_of_bias: pd.DataFrame | None = None
    included: pd.DataFrame | None = None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """Drop exact repeats (same file, row, column and message), keeping the order."""
    seen: set[tuple[object, ...]] = set()
    out: list[Problem] = []
    for p in problems:
        key = (p.file, p.row, p.column, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Problems by file (in the order files were checked), then row; stable otherwise."""
    order: dict[str | None, int] = {}
    for p in problems:
        order.setdefault(p.file, len(order))
    return sorted(problems, key=lambda p: (order[p.file], p.row if p.row is not None else 0))


def validate_extraction(
    studies: pd.DataFrame,
    outcome_data: pd.DataFrame,
    risk_of_bias: pd.DataFrame | None = None,
    *,
    outcomes: Mapping[str, OutcomeSpec],
    settings: ExtractionSettings | None = None,
    included: pd.DataFrame | None = None,
    files: Mapping[str, str | None] | None = None,
    only_outcome: str | None = None,
) -> Extraction:
    """Check the extraction tables and return them typed.

    Parameters
    ----------
    studies, outcome_data, risk_of_bias
        The tables as :func:`srma.io.tables.read_table` gives them (strings).
    outcomes
        The declared outcomes (``{id: OutcomeSpec}``, see
        :func:`srma.extraction.outcome_specs`).
    settings
        Timepoints, populations and comparator types allowed; conversion settings.
    included
        Screening's included studies (``work_id``, ``study_id``); when given,
        every study must have been included and every included study extracted.
        Leave it out to check the tables before screening is finished.
    files
        File names for the problems: keys ``studies``, ``outcome_data``,
        ``risk_of_bias``, ``included``.
    only_outcome
        Check only this outcome's rows of the outcome data (the rest are
        ignored, and ``outcomes`` need only declare this one).

    Returns
    -------
    Extraction
        The typed tables (with ``only_outcome``, only its outcome data rows).

    Raises
    ------
    InputError
        Listing every problem found, each with file, row, column and value.
    """
    settings = settings or ExtractionSettings()
    files = dict(files or {})
    parsed_studies = parse_studies(studies, file=files.get("studies"))
    parsed_data = parse_outcome_data(outcome_data, file=files.get("outcome_data"))
    if only_outcome is not None:
        parsed_data = _only(parsed_data, only_outcome)
        outcomes = {k: v for k, v in outcomes.items() if k == only_outcome}
    parsed_rob = (
        parse_risk_of_bias(risk_of_bias, file=files.get("risk_of_bias"))
        if risk_of_bias is not None
        else None
    )
    parsed_included = (
        parse_included_studies(included, file=files.get("included"))
        if included is not None
        else None
    )
    problems = list(parsed_studies.problems) + list(parsed_data.problems)
    st = parsed_studies.frame
    if st is not None:
        problems += study_problems(st, settings)
    if parsed_data.frame is not None:
        flagged = {(p.row, p.column) for p in parsed_data.problems}
        row_problems = outcome_data_problems(
            parsed_data.frame, st, outcomes=outcomes, settings=settings, skip_cells=flagged
        )
        problems += row_problems
        bad_rows = {p.row for p in [*parsed_data.problems, *row_problems] if p.row is not None}
        problems += effect_problems(
            parsed_data.frame, outcomes=outcomes, settings=settings, skip_rows=bad_rows
        )
    if parsed_rob is not None:
        problems += parsed_rob.problems
        if parsed_rob.frame is not None:
            problems += risk_of_bias_problems(parsed_rob.frame, st, outcomes=outcomes)
    if parsed_included is not None:
        problems += parsed_included.problems
        if parsed_included.frame is not None and st is not None:
            problems += included_problems(
                st, parsed_included.frame, included_file=files.get("included")
            )
    problems = _sorted(_dedupe(problems))
    if problems:
        raise InputError(problems=problems)
    assert st is not None and parsed_data.frame is not None
    return Extraction(
        studies=st,
        outcome_data=parsed_data.frame,
        risk_of_bias=None if parsed_rob is None else parsed_rob.frame,
        included=None if parsed_included is None else parsed_included.frame,
    )


def _only(parsed: ParsedTable, outcome: str) -> ParsedTable:
    if parsed.frame is None:
        return parsed
    keep = parsed.frame["outcome"] == outcome
    frame = parsed.frame[keep].reset_index(drop=True)
    rows = {int(r) for r in frame["row"]}
    problems = [p for p in parsed.problems if p.row is None or p.row == 1 or p.row in rows]
    return ParsedTable(frame, problems)


def _read(path: Pathish | None, problems: list[Problem]) -> pd.DataFrame | None:
    if path is None:
        return None
    try:
        return read_table(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def load_extraction(
    studies: Pathish,
    outcome_data: Pathish,
    risk_of_bias: Pathish | None = None,
    *,
    outcomes: Mapping[str, OutcomeSpec],
    settings: ExtractionSettings | None = None,
    included: Pathish | None = None,
    only_outcome: str | None = None,
) -> Extraction:
    """Read the extraction files (CSV or XLSX) and check them: :func:`validate_extraction`.

    A file that cannot be read at all (missing, not a table) is reported
    together with the problems of the other files.
    """
    problems: list[Problem] = []
    frames = {
        "studies": _read(studies, problems),
        "outcome_data": _read(outcome_data, problems),
        "risk_of_bias": _read(risk_of_bias, problems),
        "included": _read(included, problems),
    }
    if problems:
        # report what the readable files hold too
        try:
            if frames["studies"] is not None and frames["outcome_data"] is not None:
                validate_extraction(
                    frames["studies"],
                    frames["outcome_data"],
                    frames["risk_of_bias"],
                    outcomes=outcomes,
                    settings=settings,
                    included=frames["included"],
                    files=_names(studies, outcome_data, risk_of_bias, included),
                    only_outcome=only_outcome,
                )
        except InputError as exc:
            problems += exc.problems
        raise InputError(problems=problems)
    assert frames["studies"] is not None and frames["outcome_data"] is not None
    return validate_extraction(
        frames["studies"],
        frames["outcome_data"],
        frames["risk_of_bias"],
        outcomes=outcomes,
        settings=settings,
        included=frames["included"],
        files=_names(studies, outcome_data, risk_of_bias, included),
        only_outcome=only_outcome,
    )


def _names(
    studies: Pathish, outcome_data: Pathish, rob: Pathish | None, included: Pathish | None
) -> dict[str, str | None]:
    def name(p: Pathish | None) -> str | None:
        return None if p is None else str(Path(p))

    return {
        "studies": name(studies),
        "outcome_data": name(outcome_data),
        "risk_of_bias": name(rob),
        "included": name(included),
    }
