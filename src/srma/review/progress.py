"""How far a review's inputs go, and what the reviewer has to do next.

A new review's input tables are empty, headed templates.  The workflow asks
only for the stages whose inputs have content (:func:`review_progress`, used by
``all_targets`` in ``workflow/rules/common.smk``), so a run goes as far as the
inputs allow and ends cleanly; :func:`next_steps` then says what is missing.

``screening``
    some screening log holds a decision;
``extraction``
    outcomes are declared, the studies and outcome data tables have rows, and
    (with ``extraction.check_included``) screening has decisions;
``risk_of_bias``
    the risk-of-bias and studies tables have rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from srma.errors import InputError
from srma.io.tables import read_table

__all__ = ["Progress", "count_rows", "has_content", "next_steps", "review_progress"]

SHEETS = "results/screening/sheets"
UNCERTAIN_PAIRS = "results/dedup/uncertain_pairs.csv"


def _blank(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip() == ""


def count_rows(path: str | Path, columns: Iterable[str] | None = None) -> int | None:
    """Data rows of a CSV/XLSX table with a non-blank cell (in ``columns``, if given).

    Returns
    -------
    int or None
        0 for a missing file or a headed, empty table; ``None`` when the file
        cannot be read as a table or has none of ``columns`` (the step that
        reads it reports why).
    """
    p = Path(path)
    if not p.is_file():
        return 0
    try:
        frame = read_table(p)
    except InputError:
        return None
    if columns is not None:
        wanted = list(columns)
        canonical = {str(c).strip().lower().replace(" ", "_"): c for c in frame.columns}
        present = [canonical[c] for c in wanted if c in canonical]
        if not present:
            return None
        frame = frame[present]
    if frame.empty or frame.shape[1] == 0:
        return 0
    filled = ~frame.apply(_blank).all(axis=1)
    return int(filled.sum())


def has_content(path: str | Path, columns: Iterable[str] | None = None) -> bool:
    """True when the table has a row with content, or cannot be read (see :func:`count_rows`)."""
    n = count_rows(path, columns)
    return n is None or n > 0


@dataclass(frozen=True)
class Progress:
    """Which stages of a review have inputs, and what the others wait for."""

    screening: bool
    extraction: bool
    risk_of_bias: bool
    waiting: tuple[str, ...] = ()


def _paths(config: Mapping[str, Any], root: Path) -> dict[str, Any]:
    scr = config.get("screening") or {}
    ext = config.get("extraction") or {}
    return {
        "logs": [root / p for p in scr.get("logs") or []],
        "studies": root / str(ext.get("studies", "data/extraction/studies.csv")),
        "outcome_data": root / str(ext.get("outcome_data", "data/extraction/outcomes.csv")),
        "risk_of_bias": root / str(ext.get("risk_of_bias", "data/extraction/risk_of_bias.csv")),
    }


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def review_progress(config: Mapping[str, Any], root: str | Path = ".") -> Progress:
    """Which stages the review's inputs allow (see the module docstring).

    Parameters
    ----------
    config
        The validated configuration (defaults filled in).
    root
        The review folder (the paths in ``config`` are relative to it).
    """
    root = Path(root)
    paths = _paths(config, root)
    waiting: list[str] = []
    screening = any(has_content(p, ["decision", "reason"]) for p in paths["logs"])
    logs = _rel(paths["logs"][0], root) if paths["logs"] else "data/screening/title_abstract.csv"
    if not screening:
        sheet = root / SHEETS / "title_abstract.csv"
        n = count_rows(sheet)
        if sheet.is_file():
            works = f"the {n} works to screen are in" if n else "the works to screen are in"
        else:
            works = "snakemake writes the works to screen to"
        waiting.append(
            f"no screening decisions yet: {works} {SHEETS}/"
            "title_abstract.xlsx (and .csv). Each reviewer fills in a copy (reviewer, and "
            "decision include/exclude/maybe) and saves it as a screening log "
            f"({logs}, or any file listed under screening.logs in config/config.yaml); "
            "then run again"
        )
    outcomes = config.get("outcomes") or []
    studies = has_content(paths["studies"])
    outcome_data = has_content(paths["outcome_data"])
    check_included = bool((config.get("extraction") or {}).get("check_included", True))
    extraction = bool(outcomes) and studies and outcome_data
    if extraction and check_included and not screening:
        extraction = False
    elif screening or not check_included:
        missing = []
        if not studies:
            missing.append(f"{_rel(paths['studies'], root)} (one row per included study)")
        if not outcome_data:
            missing.append(f"{_rel(paths['outcome_data'], root)} (the outcome data)")
        if missing:
            waiting.append(
                f"no extraction data yet: fill in {' and '.join(missing)}; "
                "the columns are in srma's docs/formats.md"
            )
        if not outcomes:
            waiting.append(
                "no outcomes declared: list the review's outcomes and their instruments under "
                "outcomes: in config/config.yaml (a commented example is there)"
            )
    risk_of_bias = studies and has_content(paths["risk_of_bias"])
    if extraction and not risk_of_bias:
        waiting.append(
            f"no risk-of-bias judgements yet: fill in {_rel(paths['risk_of_bias'], root)} "
            "for the risk-of-bias figures"
        )
    return Progress(screening, extraction, risk_of_bias, tuple(waiting))


def next_steps(config: Mapping[str, Any], root: str | Path = ".") -> list[str]:
    """What the reviewer has to do next, after a run (one sentence each).

    The stages still waiting for inputs (:func:`review_progress`), and the
    pairs of records de-duplication left for a human to decide.
    """
    root = Path(root)
    steps: list[str] = []
    uncertain = count_rows(root / UNCERTAIN_PAIRS)
    if uncertain:
        decisions = (config.get("dedup") or {}).get("decisions", "data/dedup/decisions.csv")
        steps.append(
            f"{uncertain} pair(s) of records may be duplicates: see {UNCERTAIN_PAIRS} and "
            f"write same/different for each pair_id in {decisions}"
        )
    steps += review_progress(config, root).waiting
    return steps
