"""Parsing the extraction tables from the strings a CSV or XLSX file holds.

Each ``parse_*`` function takes the frame :func:`srma.io.tables.read_table`
returns (every cell a string) and gives the typed table plus every problem
found: header problems (unknown, missing or repeated columns), cells that
are not numbers, and the pandera model's column checks.  Nothing is raised
here, so that the problems of all files can be reported together
(:func:`srma.extraction.load_extraction`).

Row numbers are spreadsheet rows: the header is row 1, so data row *i*
(0-based) is row *i + 2*, the number a spreadsheet program shows beside it.
(:func:`~srma.io.tables.read_table` skips blank rows; in a file with blank
rows between data rows the numbers count the non-blank rows.)

Values are read strictly where a mistake would change a result (numbers,
ids) and leniently where there is no doubt: column names ignore case,
spaces and hyphens; RoB tools and judgements accept the usual spellings
(``RoB 1``, ``Low risk``, ``Some concerns``).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa

from srma.effects import ARM_STATISTICS_COLUMNS
from srma.errors import Problem
from srma.extraction.schema import (
    INCLUDED_FIELDS,
    JUDGEMENTS,
    OUTCOME_DATA_FIELDS,
    OUTCOME_DATA_OPTIONAL,
    RISK_OF_BIAS_FIELDS,
    ROB_DOMAINS,
    STUDY_FIELDS,
    STUDY_INTEGERS,
    STUDY_OPTIONAL,
    IncludedStudiesSchema,
    OutcomeDataSchema,
    RiskOfBiasSchema,
    StudySchema,
)

__all__ = [
    "ParsedTable",
    "canonical_column",
    "excel_row",
    "parse_included_studies",
    "parse_outcome_data",
    "parse_risk_of_bias",
    "parse_studies",
]


@dataclass(frozen=True)
class ParsedTable:
    """A typed table and the problems found while reading it.

    ``frame`` holds every row that could be read, with columns ``file`` and
    ``row``; cells with problems are empty (NA).  It is ``None`` when the
    header itself is unusable (a required column is missing).
    """

    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _TableSpec:
    what: str
    fields: Mapping[str, str]
    optional: tuple[str, ...]
    integers: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    ignore_unknown: bool = False
    normalise: Mapping[str, Callable[[str], str]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return list(self.fields)

    @property
    def required(self) -> list[str]:
        return [c for c in self.fields if c not in self.optional]


def canonical_column(name: Any) -> str:
    """``" N randomised-intervention "`` -> ``"n_randomised_intervention"``."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def excel_row(position: int) -> int:
    """Spreadsheet row of the data row at 0-based ``position`` (the header is row 1)."""
    return position + 2


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    return text or None


_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_UNICODE_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})


def _number(text: str) -> float | None:
    """A number as written in a cell, or None if it is not one.

    Accepts a Unicode minus sign (U+2212) or an en dash before the digits, as
    they come from copying tables out of PDFs; nothing else (no thousands
    separators, no decimal commas, no ``<`` bounds).
    """
    t = text.translate(_UNICODE_MINUS).replace(" ", "")
    if not _NUMBER.match(t):
        return None
    return float(t)


def _header(
    raw: pd.DataFrame, spec: _TableSpec, file: str | None
) -> tuple[pd.DataFrame, list[Problem], bool]:
    problems: list[Problem] = []
    names = [canonical_column(c) for c in raw.columns]
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    for name, n in counts.items():
        if n > 1:
            problems.append(
                Problem(
                    f"column {name!r} appears {n} times in the {spec.what}",
                    file=file,
                    row=1,
                    column=name,
                    hint="keep one column of each name",
                )
            )
    frame = raw.copy()
    frame.columns = names
    frame = frame.loc[:, ~pd.Index(names).duplicated()]
    unknown = [c for c in frame.columns if c not in spec.fields]
    if spec.ignore_unknown:
        frame = frame.drop(columns=unknown)
    else:
        for col in unknown:
            guess = difflib.get_close_matches(col, spec.columns, n=1, cutoff=0.6)
            hint = (
                f"did you mean {guess[0]!r}? Rename or remove the column"
                if guess
                else "rename or remove the column; the columns are listed in data/README.md"
            )
            problems.append(
                Problem(
                    f"unknown column {col!r} in the {spec.what}",
                    file=file,
                    row=1,
                    column=col,
                    hint=hint,
                )
            )
    missing = [c for c in spec.required if c not in frame.columns]
    for col in missing:
        problems.append(
            Problem(
                f"the {spec.what} has no column {col!r}",
                file=file,
                row=1,
                column=col,
                hint=f"add a column {col!r}: {spec.fields[col].lstrip('* ')}",
            )
        )
    return frame, problems, not missing


def _parse(raw: pd.DataFrame, spec: _TableSpec, schema: Any, file: str | None) -> ParsedTable:
    frame, problems, usable = _header(raw, spec, file)
    if not usable:
        return ParsedTable(None, problems)
    n = len(frame)
    rows = [excel_row(i) for i in range(n)]
    bad: set[tuple[int, str]] = set()
    data: dict[str, Any] = {}
    for col in spec.columns:
        cells = [_clean(v) for v in frame[col].tolist()] if col in frame.columns else [None] * n
        if col in spec.integers or col in spec.numbers:
            values: list[Any] = []
            for r, text in zip(rows, cells, strict=True):
                if text is None:
                    values.append(None)
                    continue
                number = _number(text)
                whole = col in spec.integers
                if number is not None and not -(2.0**63) < number < 2.0**63:
                    number = None  # '1e400' is infinite, '1e19' too large for a count
                if number is None or (whole and number != int(number)):
                    what = "a whole number" if whole else "a number"
                    problems.append(
                        Problem(
                            f"{col} is not {what}",
                            file=file,
                            row=r,
                            column=col,
                            value=text,
                            hint=f"enter {what} (e.g. 12.5, -0.35), or leave the cell empty"
                            if col in spec.optional
                            else f"enter {what}",
                        )
                    )
                    bad.add((r, col))
                    values.append(None)
                else:
                    values.append(int(number) if whole else number)
            data[col] = (
                pd.array(values, dtype="Int64")
                if col in spec.integers
                else pd.array([math.nan if v is None else v for v in values], dtype="float64")
            )
        else:
            norm = spec.normalise.get(col)
            if norm is not None:
                cells = [None if c is None else norm(c) for c in cells]
            data[col] = pd.Series(cells, dtype=object)
    typed = pd.DataFrame(data, index=pd.RangeIndex(n))
    typed["file"] = pd.Series([file] * n, dtype=object)
    typed["row"] = pd.array(rows, dtype="Int64")
    try:
        typed = schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems += _schema_problems(exc, typed, spec, file, bad)
    return ParsedTable(typed, problems)


# --------------------------------------------------------------------------- pandera -> Problem


_CHECK = re.compile(r"^(?P<name>[a-z_]+)(?:\((?P<args>.*)\))?$")


def _check_text(column: str, check: str, spec: _TableSpec) -> tuple[str, str | None]:
    """(rule broken, hint) for one pandera check."""
    m = _CHECK.match(check)
    name, args = (m.group("name"), m.group("args")) if m else (check, None)
    if name == "not_nullable":
        return f"{column} must be filled in", f"fill in the {column}: {spec.fields[column]}"
    if name == "str_matches":
        return (
            f"{column} must be an id of lower-case letters, digits and underscores",
            "e.g. tan_2016; no spaces, capitals or hyphens",
        )
    if name in ("field_uniqueness", "unique"):
        return (
            f"{column} must be unique: the value appears in more than one row",
            "keep one row for it: merge or delete the repeated rows",
        )
    hint = _range_hint(column)
    if name == "greater_than":
        return f"{column} must be greater than {args}", hint
    if name == "greater_than_or_equal_to":
        extra = " (a group needs at least 2 participants)" if args == "2" else ""
        return f"{column} must be at least {args}{extra}", hint
    if name == "less_than":
        return f"{column} must be less than {args}", hint
    if name == "less_than_or_equal_to":
        return f"{column} must be at most {args}", hint
    if name == "in_range":
        return f"{column} must lie in [{args}]", hint
    if name == "isin":
        return f"{column} must be one of {args}", hint
    if name in ("dtype", "coerce_dtype"):
        return f"{column} has the wrong type ({args})", hint
    return f"{column} fails the check {check}", hint


def _range_hint(column: str) -> str:
    """What to do about a value out of its column's range."""
    name = re.sub(r"_(intervention|comparator)$", "", column)
    if name in ("sd", "se", "sd_change", "se_change", "sd_pre", "md_se"):
        return (
            "an SD or SE is positive: check for a lost digit or a minus sign; leave the cell "
            "empty if the report does not give it"
        )
    if name == "p":
        return (
            "p lies strictly between 0 and 1: write 'p < 0.001' as 0.001; leave p empty if "
            "the report gives only 'n.s.' or 'p = 1'"
        )
    if name == "n":
        return "check the number analysed in this arm against the report"
    return "check the value against the study's report"


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _schema_problems(
    exc: pa.errors.SchemaErrors,
    typed: pd.DataFrame,
    spec: _TableSpec,
    file: str | None,
    already: set[tuple[int, str]],
) -> list[Problem]:
    problems: list[Problem] = []
    seen = set(already)
    cases = exc.failure_cases
    for case in cases.itertuples(index=False):
        column = str(case.column) if case.column is not None else None
        index = case.index
        if index is None or (isinstance(index, float) and math.isnan(index)):
            row = None
        else:
            row = int(typed.loc[int(index), "row"])
        if column is not None and row is not None and (row, column) in seen:
            continue
        if column is not None and row is not None:
            seen.add((row, column))
        value = None if case.failure_case is None else _plain(case.failure_case)
        if column is not None and column in spec.fields:
            message, hint = _check_text(column, str(case.check), spec)
        else:
            message, hint = f"the {spec.what} fails the check {case.check}", None
        if str(case.check) == "not_nullable":
            value = None
        problems.append(Problem(message, file=file, row=row, column=column, value=value, hint=hint))
    return problems


# --------------------------------------------------------------------------- normalisers


def _lower_id(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


_TOOLS = {
    "rob1": "rob1",
    "rob1.0": "rob1",
    "cochranerob": "rob1",
    "cochranerob1": "rob1",
    "rob2": "rob2",
    "rob2.0": "rob2",
    "cochranerob2": "rob2",
}
_JUDGEMENTS = {
    "low": "low",
    "low_risk": "low",
    "low_risk_of_bias": "low",
    "+": "low",
    "unclear": "unclear",
    "unclear_risk": "unclear",
    "unclear_risk_of_bias": "unclear",
    "?": "unclear",
    "high": "high",
    "high_risk": "high",
    "high_risk_of_bias": "high",
    "-": "high",
    "some_concerns": "some_concerns",
    "some_concern": "some_concerns",
}


def _domain_key(text: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    return re.sub(r"^d[1-5]_", "", key)


_DOMAIN_SYNONYMS = {
    # the forms' own names: RevMan's for RoB 1, "D1 Bias arising from ..." for RoB 2
    _domain_key(label): domain
    for tool in ROB_DOMAINS.values()
    for domain, label in tool.items()
}
_DOMAIN_SYNONYMS.update(
    {
        "randomization_process": "randomisation_process",
        "measurement_of_outcome": "measurement_of_the_outcome",
        "selection_of_reported_result": "selection_of_the_reported_result",
        "blinding_of_participants_and_personnel": "blinding_participants_personnel",
        "blinding_of_outcome_assessment": "blinding_outcome_assessment",
        "overall_risk_of_bias": "overall",
    }
)


def _tool(text: str) -> str:
    key = re.sub(r"[\s\-_]+", "", text.lower())
    return _TOOLS.get(key, _lower_id(text))


def _judgement(text: str) -> str:
    stripped = text.strip()
    if stripped in _JUDGEMENTS:  # RevMan's symbols +, ?, -
        return _JUDGEMENTS[stripped]
    key = _lower_id(text)
    return _JUDGEMENTS.get(key, key)


def _domain(text: str) -> str:
    key = _domain_key(text)
    return _DOMAIN_SYNONYMS.get(key, key)


# --------------------------------------------------------------------------- entry points

_STUDIES = _TableSpec(
    what="studies table",
    fields=STUDY_FIELDS,
    optional=STUDY_OPTIONAL,
    integers=STUDY_INTEGERS,
)
_OUTCOME_DATA = _TableSpec(
    what="outcome data table",
    fields=OUTCOME_DATA_FIELDS,
    optional=tuple(c for c in OUTCOME_DATA_OPTIONAL),
    numbers=tuple(ARM_STATISTICS_COLUMNS),
)
_RISK_OF_BIAS = _TableSpec(
    what="risk-of-bias table",
    fields=RISK_OF_BIAS_FIELDS,
    optional=("outcome", "note"),
    normalise={"tool": _tool, "judgement": _judgement, "domain": _domain},
)
_INCLUDED = _TableSpec(
    what="included-studies table",
    fields=INCLUDED_FIELDS,
    optional=(),
    ignore_unknown=True,
)


def parse_studies(raw: pd.DataFrame, *, file: str | None = None) -> ParsedTable:
    """The studies table (:data:`~srma.extraction.schema.STUDY_FIELDS`), typed."""
    return _parse(raw, _STUDIES, StudySchema, file)


def parse_outcome_data(raw: pd.DataFrame, *, file: str | None = None) -> ParsedTable:
    """The outcome data table (:data:`~srma.extraction.schema.OUTCOME_DATA_FIELDS`), typed.

    Statistic columns may be left out of the file; they are added empty.
    """
    return _parse(raw, _OUTCOME_DATA, OutcomeDataSchema, file)


def parse_risk_of_bias(raw: pd.DataFrame, *, file: str | None = None) -> ParsedTable:
    """The risk-of-bias table, typed; tools, domains and judgements normalised.

    ``RoB 1`` -> ``rob1``, ``Low risk`` -> ``low``, ``Some concerns`` ->
    ``some_concerns``, ``Allocation concealment (selection bias)`` ->
    ``allocation_concealment``.
    """
    return _parse(raw, _RISK_OF_BIAS, RiskOfBiasSchema, file)


def parse_included_studies(raw: pd.DataFrame, *, file: str | None = None) -> ParsedTable:
    """Screening's included studies (``work_id``, ``study_id``; other columns ignored)."""
    return _parse(raw, _INCLUDED, IncludedStudiesSchema, file)


def judgements_for(tool: str) -> Sequence[str]:
    """The judgements ``tool`` allows (empty for an unknown tool)."""
    return JUDGEMENTS.get(tool, ())
