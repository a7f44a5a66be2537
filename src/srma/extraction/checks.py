"""Checks across columns, rows and tables of the extraction data.

Each function returns a list of :class:`~srma.errors.Problem` (file, row,
column, value, the rule broken and what to do) and raises nothing, so that
every problem of every table is reported at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from srma.effects import arm_statistics_problems, compute_effects
from srma.errors import InputError, Problem
from srma.extraction.schema import (
    EFFECT_STATISTICS,
    JUDGEMENTS,
    OUTCOME_DATA_KEY,
    ROB_DOMAINS,
    ROB_OPTIONAL_DOMAINS,
)
from srma.extraction.spec import ExtractionSettings, OutcomeSpec

__all__ = [
    "effect_problems",
    "included_problems",
    "outcome_data_problems",
    "risk_of_bias_problems",
    "study_problems",
]


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _row(rec: Mapping[str, Any]) -> int | None:
    r = rec.get("row")
    return None if _blank(r) else int(r)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _adder(problems: list[Problem], file: Any, row: int | None) -> Callable[..., None]:
    """A function that appends a problem of one row to ``problems``."""

    def add(message: str, column: str | None, value: Any = None, hint: str | None = None) -> None:
        problems.append(Problem(message, file=file, row=row, column=column, value=value, hint=hint))

    return add


def _choices_hint(choices: Iterable[str], where: str) -> str:
    listed = ", ".join(choices)
    return f"use one of: {listed} (or declare it under {where} in config/config.yaml)"


# --------------------------------------------------------------------------- studies


def study_problems(studies: pd.DataFrame, settings: ExtractionSettings) -> list[Problem]:
    """Rules of the studies table beyond single columns.

    The comparator type is declared in ``extraction.comparator_types``.
    """
    problems: list[Problem] = []
    allowed = settings.comparator_type_ids
    for rec in _records(studies):
        ctype = rec.get("comparator_type")
        if not _blank(ctype) and ctype not in allowed:
            problems.append(
                Problem(
                    "comparator_type must be one of the declared comparator types",
                    file=rec.get("file"),
                    row=_row(rec),
                    column="comparator_type",
                    value=ctype,
                    hint=_choices_hint(allowed, "extraction.comparator_types"),
                )
            )
    return problems


# --------------------------------------------------------------------------- outcome data


def outcome_data_problems(
    data: pd.DataFrame,
    studies: pd.DataFrame | None,
    *,
    outcomes: Mapping[str, OutcomeSpec],
    settings: ExtractionSettings,
    skip_cells: set[tuple[int | None, str | None]] | None = None,
) -> list[Problem]:
    """Rules of the outcome data that involve several columns, rows or tables.

    - the statistics of a row agree with each other (confidence limits
      around their estimate, quartiles ordered, signs consistent with
      ``direction``...: :func:`srma.effects.arm_statistics_problems`);
    - the study is in the studies table; the outcome is declared, and the
      instrument is declared under it (it may be empty only in a
      ``no_usable_data`` row); the timepoint and population are declared;
    - one row per study, outcome, instrument, timepoint and population;
    - the arm sizes do not exceed the numbers randomised;
    - a ``no_usable_data`` row leaves the statistics empty (arm sizes allowed).

    ``skip_cells`` holds ``(row, column)`` cells already reported by the
    column checks; the value checks of
    :func:`srma.effects.arm_statistics_problems` do not repeat them.
    """
    skip = skip_cells or set()
    problems: list[Problem] = []
    known_studies: dict[str, dict[str, Any]] = {}
    if studies is not None:
        for r in _records(studies):  # the first row of a repeated id (reported elsewhere)
            if not _blank(r["study_id"]):
                known_studies.setdefault(r["study_id"], r)
    seen: dict[tuple[Any, ...], int | None] = {}
    for rec in _records(data):
        file, row = rec.get("file"), _row(rec)

        add = _adder(problems, file, row)

        problems.extend(
            dataclasses.replace(p, file=file, row=row)
            for p in arm_statistics_problems(rec)
            if (row, p.column) not in skip
        )
        study = rec.get("study_id")
        if studies is not None and not _blank(study) and study not in known_studies:
            add(
                "study_id must name a study of the studies table",
                "study_id",
                study,
                "add the study to the studies table, or correct the id",
            )
        outcome_id = rec.get("outcome")
        spec = outcomes.get(outcome_id) if not _blank(outcome_id) else None
        if not _blank(outcome_id) and spec is None:
            add(
                "outcome must be declared in the config",
                "outcome",
                outcome_id,
                _choices_hint(sorted(outcomes), "outcomes:"),
            )
        instrument = rec.get("instrument")
        unusable = not _blank(rec.get("no_usable_data"))
        if _blank(instrument):
            if not unusable:
                add(
                    "instrument must be filled in (only a no_usable_data row may leave it empty)",
                    "instrument",
                    None,
                    "write the instrument's id",
                )
        elif spec is not None and instrument not in spec.instrument_ids:
            add(
                f"instrument must be declared under outcome {outcome_id!r}",
                "instrument",
                instrument,
                _choices_hint(spec.instrument_ids, f"outcome {outcome_id}'s instruments"),
            )
        for column, allowed, where in (
            ("timepoint", settings.timepoint_ids, "extraction.timepoints"),
            ("population", settings.population_ids, "extraction.populations"),
        ):
            value = rec.get(column)
            if not _blank(value) and value not in allowed:
                add(f"{column} must be declared", column, value, _choices_hint(allowed, where))
        key = tuple(None if _blank(rec.get(c)) else rec.get(c) for c in OUTCOME_DATA_KEY)
        if None not in (key[0], key[1], key[3], key[4]):
            if key in seen:
                add(
                    f"one row per study, outcome, instrument, timepoint and population: "
                    f"row {seen[key]} has the same",
                    "instrument",
                    instrument if not _blank(instrument) else None,
                    "delete or merge the duplicate row",
                )
            else:
                seen[key] = row
        info = known_studies.get(study) if not _blank(study) else None
        if info is not None:
            for arm in ("intervention", "comparator"):
                n = rec.get(f"n_{arm}")
                cap = info.get(f"n_randomised_{arm}")
                if not _blank(n) and not _blank(cap) and float(n) > float(cap):
                    add(
                        f"n_{arm} must not exceed the {int(cap)} randomised to the {arm} "
                        "(studies table)",
                        f"n_{arm}",
                        int(n) if float(n).is_integer() else n,
                        "check the arm size, or the numbers randomised in the studies table",
                    )
        if unusable:
            for column in EFFECT_STATISTICS:
                value = rec.get(column)
                if not _blank(value):
                    add(
                        "a no_usable_data row must leave the statistics empty",
                        column,
                        value,
                        "empty the statistics, or the no_usable_data reason if the numbers "
                        "are usable",
                    )
    return problems


def effect_problems(
    data: pd.DataFrame,
    *,
    outcomes: Mapping[str, OutcomeSpec],
    settings: ExtractionSettings,
    skip_rows: set[int] | None = None,
) -> list[Problem]:
    """Problems computing an effect size from each usable row.

    Rows whose outcome or instrument is not declared, ``no_usable_data``
    rows and the rows in ``skip_rows`` (which already have a problem) are
    skipped: the other checks report them.
    """
    problems: list[Problem] = []
    skip = skip_rows or set()
    for outcome_id, spec in outcomes.items():
        rows = data[
            (data["outcome"] == outcome_id)
            & data["no_usable_data"].isna()
            & data["instrument"].isin(list(spec.instrument_ids))
            & ~data["row"].isin(list(skip))
        ]
        if rows.empty:
            continue
        indexed = rows.set_index(pd.Index([int(r) for r in rows["row"]]))
        better = [spec.instrument(i).higher_is_better for i in indexed["instrument"]]
        try:
            compute_effects(
                indexed,
                measure=spec.measure,
                higher_is_better=better,
                priority=settings.routes,
                ci_distribution=settings.ci_distribution,
                quantile_method=settings.quantile_method,  # type: ignore[arg-type]
                skewed=settings.skewed,
            )
        except InputError as exc:
            files = dict(zip(indexed.index, indexed["file"], strict=True))
            problems += [dataclasses.replace(p, file=files.get(p.row)) for p in exc.problems]
    return problems


# --------------------------------------------------------------------------- risk of bias


_ALL_JUDGEMENTS = {j for js in JUDGEMENTS.values() for j in js}


def risk_of_bias_problems(
    rob: pd.DataFrame,
    studies: pd.DataFrame | None,
    *,
    outcomes: Mapping[str, OutcomeSpec],
) -> list[Problem]:
    """Rules of the risk-of-bias table beyond single columns.

    - the study is in the studies table, the outcome (when given) is declared;
    - the domain belongs to the tool, the judgement is one the tool allows;
    - one row per study, outcome, tool and domain;
    - each study uses one tool;
    - each assessment is complete: for a study, the study-level rows plus the
      rows of any one outcome cover every domain of the tool (RoB 1's
      ``overall`` is optional), without a domain judged at both levels;
    - every study of the studies table is assessed.
    """
    problems: list[Problem] = []
    records = _records(rob)
    file = records[0].get("file") if records else None
    known = set(studies["study_id"].dropna()) if studies is not None else None
    seen: dict[tuple[Any, ...], int | None] = {}
    tools: dict[str, tuple[str, int | None]] = {}
    for rec in records:
        row = _row(rec)

        add = _adder(problems, rec.get("file"), row)

        study, outcome = rec.get("study_id"), rec.get("outcome")
        tool, domain, judgement = rec.get("tool"), rec.get("domain"), rec.get("judgement")
        if known is not None and not _blank(study) and study not in known:
            add(
                "study_id must name a study of the studies table",
                "study_id",
                study,
                "add the study to the studies table, or correct the id",
            )
        if not _blank(outcome) and outcome not in outcomes:
            add(
                "outcome must be declared in the config (or left empty for every outcome)",
                "outcome",
                outcome,
                _choices_hint(sorted(outcomes), "outcomes:"),
            )
        if _blank(tool) or tool not in ROB_DOMAINS:
            continue
        if not _blank(domain) and domain not in ROB_DOMAINS[tool]:
            add(
                f"domain must be a domain of {tool}",
                "domain",
                domain,
                "use one of: " + ", ".join(ROB_DOMAINS[tool]),
            )
        known_judgement = judgement in _ALL_JUDGEMENTS  # else the column check reported it
        if not _blank(judgement) and judgement not in JUDGEMENTS[tool] and known_judgement:
            add(
                f"judgement must be one that {tool} allows",
                "judgement",
                judgement,
                "use one of: " + ", ".join(JUDGEMENTS[tool]),
            )
        if not _blank(study):
            first = tools.setdefault(study, (tool, row))
            if first[0] != tool:
                add(
                    f"a study is assessed with one tool; row {first[1]} uses {first[0]}",
                    "tool",
                    tool,
                    "assess the study with one tool",
                )
        key = (study, None if _blank(outcome) else outcome, tool, domain)
        if not _blank(study) and not _blank(domain):
            if key in seen:
                add(
                    f"one row per study, outcome and domain: row {seen[key]} has the same",
                    "domain",
                    domain,
                    "delete or merge the duplicate row",
                )
            else:
                seen[key] = row
    assessed_records = [r for r in records if known is None or r.get("study_id") in known]
    problems += _rob_completeness(assessed_records, file)
    if studies is not None:
        assessed = {r.get("study_id") for r in records}
        for rec in _records(studies):
            if not _blank(rec.get("study_id")) and rec["study_id"] not in assessed:
                problems.append(
                    Problem(
                        "every study needs a risk-of-bias assessment",
                        file=file,
                        column="study_id",
                        value=rec["study_id"],
                        hint=f"add the study's rows (from row {_row(rec)} of the studies table) "
                        "to the risk-of-bias table",
                    )
                )
    return problems


def _rob_completeness(records: list[dict[str, Any]], file: Any) -> list[Problem]:
    problems: list[Problem] = []
    by_study: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        if _blank(rec.get("study_id")) or rec.get("tool") not in ROB_DOMAINS:
            continue
        if _blank(rec.get("domain")) or rec["domain"] not in ROB_DOMAINS[rec["tool"]]:
            continue
        by_study.setdefault(rec["study_id"], []).append(rec)
    for study, recs in by_study.items():
        tool = recs[0]["tool"]
        required = [d for d in ROB_DOMAINS[tool] if d not in ROB_OPTIONAL_DOMAINS[tool]]
        general = {r["domain"]: r for r in recs if _blank(r.get("outcome"))}
        specific: dict[str, dict[str, dict[str, Any]]] = {}
        for r in recs:
            if not _blank(r.get("outcome")):
                specific.setdefault(r["outcome"], {})[r["domain"]] = r
        groups = {None: {}} if not specific else specific
        for outcome, domains in groups.items():
            for domain, r in domains.items():
                if domain in general:
                    problems.append(
                        Problem(
                            f"domain {domain!r} is judged both for every outcome (row "
                            f"{_row(general[domain])}) and for outcome {outcome!r}",
                            file=r.get("file"),
                            row=_row(r),
                            column="domain",
                            value=domain,
                            hint="keep one of the two",
                        )
                    )
            missing = [d for d in required if d not in general and d not in domains]
            if missing:
                where = f" for outcome {outcome!r}" if outcome else ""
                problems.append(
                    Problem(
                        f"the {tool} assessment of {study!r}{where} is incomplete: missing "
                        + ", ".join(missing),
                        file=file,
                        column="domain",
                        value=study,
                        hint="add a row for each missing domain",
                    )
                )
    return problems


# --------------------------------------------------------------------------- screening


def included_problems(
    studies: pd.DataFrame, included: pd.DataFrame, *, included_file: str | None = None
) -> list[Problem]:
    """The extraction's studies against the studies included at screening.

    - every study of the studies table was included at screening;
    - every study included at screening has a row in the studies table;
    - a report listed in ``reports`` that is a screening work id belongs to
      this study at screening.
    """
    problems: list[Problem] = []
    included_ids = set(included["study_id"].dropna())
    work_to_study = dict(zip(included["work_id"], included["study_id"], strict=True))
    extracted: set[str] = set()
    for rec in _records(studies):
        study = rec.get("study_id")
        if _blank(study):
            continue
        extracted.add(study)
        if study not in included_ids:
            problems.append(
                Problem(
                    "the study was not included at screening",
                    file=rec.get("file"),
                    row=_row(rec),
                    column="study_id",
                    value=study,
                    hint="check the study id against results/screening/included_studies.csv "
                    "(the studies mapping of screening), or remove the study",
                )
            )
        reports = "" if _blank(rec.get("reports")) else str(rec["reports"])
        for report in (r.strip() for r in reports.split(";")):
            other = work_to_study.get(report)
            if other is not None and other != study:
                problems.append(
                    Problem(
                        f"report {report!r} belongs to study {other!r} at screening",
                        file=rec.get("file"),
                        row=_row(rec),
                        column="reports",
                        value=report,
                        hint="fix the reports list or the screening studies mapping",
                    )
                )
    for study in sorted(included_ids - extracted):
        first = included.loc[included["study_id"] == study].iloc[0]
        problems.append(
            Problem(
                "a study included at screening has no row in the studies table",
                file=included_file,
                row=None if _blank(first.get("row")) else int(first["row"]),
                column="study_id",
                value=study,
                hint="add the study to the studies table (data/extraction/studies.csv)",
            )
        )
    return problems
