"""Screening tables: pandera models and the validation of users' files.

Three user files feed screening (CSV or XLSX, in ``data/screening/``):

screening log
    One row per decision of one reviewer: ``work_id``, ``stage``
    (``title_abstract`` or ``full_text``), ``reviewer``, ``decision``
    (``include``, ``exclude``, ``maybe``), ``reason`` (required for a full-text
    exclusion), ``note``, ``time`` (ISO 8601 date or date-time, optional).
    The display columns of a screening sheet (``title``, ``authors``, ``year``,
    ``journal``, ``doi``, ``abstract``) may stay in the file: they are ignored,
    so a filled-in sheet *is* a log.  A row whose ``decision`` and ``reason``
    are both empty is a work not screened yet and is skipped.
consensus
    One row per settled work and stage: ``work_id``, ``stage``, ``decision``
    (``include`` or ``exclude``), ``reason`` (required for a full-text
    exclusion), ``note``.
studies
    Optional mapping of reports to studies: ``work_id``, ``study_id``.

Values are read leniently where there is no doubt (case and spaces of
stages and decisions, ``Included``/``yes`` for include, ``full text`` for
full_text), strictly otherwise.  Every problem of a file is reported at once
as an :class:`~srma.errors.InputError`.

Row numbers are spreadsheet rows: the header is row 1, so data row *i*
(0-based) is row *i + 2* -- the number a spreadsheet program shows beside it.
(:func:`srma.io.tables.read_table` skips blank rows, so in a file with blank
rows between data rows the numbers count the non-blank rows.)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Optional

import pandas as pd
import pandera.pandas as pa

from srma.errors import InputError, Problem
from srma.screening.rules import CONSENSUS_DECISIONS, DECISIONS, STAGES

#: Columns of a screening log, in order (``file`` and ``row`` say where each came from).
LOG_COLUMNS: list[str] = [
    "work_id",
    "stage",
    "reviewer",
    "decision",
    "reason",
    "note",
    "time",
    "file",
    "row",
]
#: Columns a user writes in a screening log.
LOG_USER_COLUMNS: list[str] = LOG_COLUMNS[:7]
LOG_REQUIRED: list[str] = ["work_id", "stage", "reviewer", "decision"]

#: Columns of a consensus table.
CONSENSUS_COLUMNS: list[str] = ["work_id", "stage", "decision", "reason", "note", "file", "row"]
CONSENSUS_USER_COLUMNS: list[str] = CONSENSUS_COLUMNS[:5]
CONSENSUS_REQUIRED: list[str] = ["work_id", "stage", "decision"]

STUDIES_COLUMNS: list[str] = ["work_id", "study_id"]

#: Columns of a screening sheet that only help the reader; ignored when read back.
DISPLAY_COLUMNS: list[str] = ["title", "authors", "year", "journal", "doi", "abstract"]

ID_PATTERN = r"^[a-z0-9_]+$"

_STAGE_SYNONYMS = {
    "title_abstract": "title_abstract",
    "title_and_abstract": "title_abstract",
    "titleabstract": "title_abstract",
    "tiab": "title_abstract",
    "ta": "title_abstract",
    "full_text": "full_text",
    "fulltext": "full_text",
    "full_text_review": "full_text",
    "ft": "full_text",
}
_DECISION_SYNONYMS = {
    "include": "include",
    "included": "include",
    "yes": "include",
    "exclude": "exclude",
    "excluded": "exclude",
    "no": "exclude",
    "maybe": "maybe",
    "unsure": "maybe",
}


class ScreeningLogSchema(pa.DataFrameModel):
    """One row per decision of one reviewer on one work at one stage."""

    work_id: str = pa.Field(str_matches=r"^\S+$")
    stage: str = pa.Field(isin=list(STAGES))
    reviewer: str = pa.Field(str_matches=r"\S")
    decision: str = pa.Field(isin=list(DECISIONS))
    reason: str = pa.Field(nullable=True)
    note: str = pa.Field(nullable=True)
    time: pd.Timestamp = pa.Field(nullable=True)
    file: Optional[str] = pa.Field(nullable=True)  # noqa: UP045 (pandera needs Optional)
    row: Optional[pd.Int64Dtype] = pa.Field(nullable=True, ge=2)  # noqa: UP045

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    @classmethod
    def full_text_exclusion_has_reason(cls, df: pd.DataFrame) -> pd.Series:
        return ~(
            (df["stage"] == "full_text") & (df["decision"] == "exclude") & _blank(df["reason"])
        )


class ConsensusSchema(pa.DataFrameModel):
    """One row per work and stage settled by consensus."""

    work_id: str = pa.Field(str_matches=r"^\S+$")
    stage: str = pa.Field(isin=list(STAGES))
    decision: str = pa.Field(isin=list(CONSENSUS_DECISIONS))
    reason: str = pa.Field(nullable=True)
    note: str = pa.Field(nullable=True)
    file: Optional[str] = pa.Field(nullable=True)  # noqa: UP045
    row: Optional[pd.Int64Dtype] = pa.Field(nullable=True, ge=2)  # noqa: UP045

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    @classmethod
    def full_text_exclusion_has_reason(cls, df: pd.DataFrame) -> pd.Series:
        return ~(
            (df["stage"] == "full_text") & (df["decision"] == "exclude") & _blank(df["reason"])
        )

    @pa.dataframe_check
    @classmethod
    def one_row_per_work_and_stage(cls, df: pd.DataFrame) -> pd.Series:
        return ~df.duplicated(["work_id", "stage"], keep="first")


class StudiesSchema(pa.DataFrameModel):
    """Which study each report (work) belongs to."""

    work_id: str = pa.Field(str_matches=r"^\S+$", unique=True)
    study_id: str = pa.Field(str_matches=ID_PATTERN)

    class Config:
        strict = True
        coerce = True


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype("string").str.strip() == "")


# --------------------------------------------------------------------------- helpers


def _clean_text(value: Any) -> str | None:
    """Strip a cell; empty, NaN and None become None."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or None


def canonical_stage(value: Any) -> str | None:
    """``"Full text"`` -> ``"full_text"``; an unknown stage is returned lower-cased."""
    text = _clean_text(value)
    if text is None:
        return None
    key = re.sub(r"[\s\-/&]+", "_", text.lower()).strip("_")
    return _STAGE_SYNONYMS.get(key, key)


def canonical_decision(value: Any) -> str | None:
    """``"Included"`` -> ``"include"``; an unknown decision is returned lower-cased."""
    text = _clean_text(value)
    if text is None:
        return None
    key = text.lower()
    return _DECISION_SYNONYMS.get(key, key)


def canonical_column(name: Any) -> str:
    """``" Work ID "`` -> ``"work_id"``."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def excel_row(position: int) -> int:
    """Spreadsheet row of the data row at 0-based ``position`` (the header is row 1)."""
    return position + 2


def _suggest(name: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def check_columns(
    frame: pd.DataFrame,
    *,
    file: str | None,
    required: list[str],
    allowed: list[str],
    what: str,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Canonicalise column names, report missing and unknown columns.

    Returns the frame with canonical column names and the problems found.
    """
    problems: list[Problem] = []
    renamed = {c: canonical_column(c) for c in frame.columns}
    frame = frame.rename(columns=renamed)
    seen: dict[str, int] = {}
    for col in frame.columns:
        seen[col] = seen.get(col, 0) + 1
    for col, n in seen.items():
        if n > 1:
            problems.append(
                Problem(
                    f"column {col!r} appears {n} times in the {what}",
                    file=file,
                    row=1,
                    column=col,
                    hint="keep one column of each name",
                )
            )
    for col in frame.columns:
        if col not in allowed:
            guess = _suggest(col, allowed)
            hint = f"did you mean {guess!r}?" if guess else f"the columns are {', '.join(allowed)}"
            problems.append(
                Problem(
                    f"unknown column {col!r} in the {what}",
                    file=file,
                    row=1,
                    column=col,
                    hint=f"{hint} Rename or remove the column",
                )
            )
    for col in required:
        if col not in frame.columns:
            problems.append(
                Problem(
                    f"the {what} has no column {col!r}",
                    file=file,
                    row=1,
                    column=col,
                    hint=f"add a column {col!r}; the {what} needs {', '.join(required)}",
                )
            )
    return frame, problems


#: Message and hint for each pandera check, by (schema, check name).
_CHECK_TEXT: dict[str, tuple[str | None, str, str]] = {
    # check name: (column to blame or None for the failing column, message, hint)
    "full_text_exclusion_has_reason": (
        "reason",
        "a full-text exclusion needs a reason",
        "write why the report was excluded (e.g. 'wrong population') in the reason column",
    ),
    "one_row_per_work_and_stage": (
        "work_id",
        "the work has more than one consensus row for this stage",
        "keep one consensus row per work and stage",
    ),
}


def _column_check_text(column: str, check: str, value: Any) -> tuple[str, str]:
    if check.startswith("isin"):
        allowed = {
            "stage": STAGES,
            "decision": DECISIONS,
        }.get(column)
        if column == "decision" and "'maybe'" not in check:
            allowed = CONSENSUS_DECISIONS
        choices = ", ".join(allowed or [])
        return f"unknown {column} {value!r}", f"use one of: {choices}"
    if check == "not_nullable":
        return f"{column} is empty", f"fill in the {column}"
    if check.startswith("str_matches"):
        if value is None or str(value).strip() == "":
            return f"{column} is empty", f"fill in the {column}"
        if column == "study_id":
            return (
                f"invalid study_id {value!r}",
                "use lower-case letters, digits and underscores only, e.g. 'dalum_2016'",
            )
        return f"invalid {column} {value!r}", f"write the {column} without spaces"
    if check in ("field_uniqueness", "unique"):
        return f"{column} {value!r} appears more than once", f"keep one row per {column}"
    if check.startswith("coerce_dtype") or check.startswith("dtype"):
        return f"cannot read {column} {value!r}", f"check the {column} value"
    if check.startswith("greater_than_or_equal_to"):
        return f"{column} {value!r} is out of range", f"check the {column} value"
    return f"{column} fails check {check}", f"check the {column} value"


def schema_problems(
    exc: pa.errors.SchemaErrors,
    *,
    file: str | None,
    original: pd.DataFrame | None = None,
) -> list[Problem]:
    """Turn pandera's failure cases into one :class:`Problem` per bad cell.

    ``original`` (indexed by spreadsheet row, canonical column names) supplies
    the value as the user wrote it.
    """
    cases = exc.failure_cases
    problems: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    key: tuple[Any, ...]
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = None if case.column is None else str(case.column)
        index = case.index
        row = None if index is None or (isinstance(index, float) and index != index) else int(index)
        if check in _CHECK_TEXT:
            blame, message, hint = _CHECK_TEXT[check]
            column = blame or column
            key = (check, row)
        else:
            value = case.failure_case
            message, hint = _column_check_text(column or "", check, value)
            key = (check, column, row, str(value))
        if key in seen:
            continue
        seen.add(key)
        value = None
        if original is not None and row is not None and column in original.columns:
            value = original.at[row, column]
        elif check not in _CHECK_TEXT:
            value = case.failure_case
        problems.append(Problem(message, file=file, row=row, column=column, value=value, hint=hint))
    problems.sort(key=lambda p: (p.row if p.row is not None else 0, p.column or ""))
    return problems


def _validate(
    schema: type[pa.DataFrameModel], frame: pd.DataFrame, *, file: str | None, original: Any
) -> tuple[pd.DataFrame, list[Problem]]:
    try:
        return schema.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as exc:
        return frame, schema_problems(exc, file=file, original=original)


def _prepare(
    frame: pd.DataFrame,
    *,
    file: str | None,
    required: list[str],
    user_columns: list[str],
    ignored: list[str],
    what: str,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Canonical columns; rows indexed by spreadsheet row; cells stripped."""
    frame = frame.copy()
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    frame, problems = check_columns(
        frame, file=file, required=required, allowed=user_columns + ignored, what=what
    )
    if problems:
        return frame, frame, problems
    frame = frame.drop(columns=[c for c in ignored if c in frame.columns])
    for col in user_columns:
        if col not in frame.columns:
            frame[col] = None
    frame = frame[user_columns]
    original = frame.copy()
    cleaned = frame.map(_clean_text).astype(object)
    return cleaned, original, problems


def _finish(frame: pd.DataFrame, file: str | None, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    frame["file"] = file
    frame["row"] = pd.array(list(frame.index), dtype="Int64")
    frame = frame.reset_index(drop=True)
    return frame[columns]


def _object_strings(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for col in columns:
        frame[col] = pd.Series(
            [_clean_text(v) for v in frame[col]], index=frame.index, dtype=object
        )
    return frame


def parse_time(values: pd.Series) -> tuple[pd.Series, list[int]]:
    """Parse ISO 8601 dates/date-times; return the parsed series and bad rows."""
    values = pd.Series([_clean_text(v) for v in values], index=values.index, dtype=object)
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    bad = [
        int(i) for i in values.index if _clean_text(values[i]) is not None and pd.isna(parsed[i])
    ]
    return parsed.astype("datetime64[ns]"), bad


def validate_log(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Validate one screening log as read from a file (strings).

    Parameters
    ----------
    frame
        The table as read (one row per spreadsheet row after the header).
    file
        The file's name, for messages and for the ``file`` column.

    Returns
    -------
    pandas.DataFrame
        :data:`LOG_COLUMNS`, one row per decision, valid under
        :class:`ScreeningLogSchema`.

    Raises
    ------
    InputError
        Listing every problem of the file at once.
    """
    cleaned, original, problems = _prepare(
        frame,
        file=file,
        required=LOG_REQUIRED,
        user_columns=LOG_USER_COLUMNS,
        ignored=DISPLAY_COLUMNS,
        what="screening log",
    )
    if problems:
        raise InputError(problems=problems)
    empty = cleaned["decision"].isna() & cleaned["reason"].isna()
    cleaned = cleaned[~empty].copy()
    original = original.loc[cleaned.index]
    cleaned["stage"] = cleaned["stage"].map(canonical_stage)
    cleaned["decision"] = cleaned["decision"].map(canonical_decision)
    times, bad_times = parse_time(cleaned["time"])
    for row in bad_times:
        problems.append(
            Problem(
                "cannot read the time",
                file=file,
                row=row,
                column="time",
                value=original.at[row, "time"],
                hint="write an ISO 8601 date or date-time such as 2024-03-01 or 2024-03-01T14:30",
            )
        )
    cleaned["time"] = times
    cleaned = _object_strings(
        cleaned, ["work_id", "stage", "reviewer", "decision", "reason", "note"]
    )
    typed = cleaned.copy()
    for col in ("work_id", "stage", "reviewer", "decision"):
        typed[col] = typed[col].fillna("")
    _, found = _validate(ScreeningLogSchema, typed, file=file, original=original)
    problems += found
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise InputError(problems=problems)
    out = _finish(cleaned, file, LOG_COLUMNS)
    return ScreeningLogSchema.validate(out)


def validate_consensus(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Validate a consensus table (see :func:`validate_log`).

    Returns :data:`CONSENSUS_COLUMNS`, valid under :class:`ConsensusSchema`.
    """
    cleaned, original, problems = _prepare(
        frame,
        file=file,
        required=CONSENSUS_REQUIRED,
        user_columns=CONSENSUS_USER_COLUMNS,
        ignored=DISPLAY_COLUMNS + ["votes"],
        what="consensus file",
    )
    if problems:
        raise InputError(problems=problems)
    empty = cleaned["decision"].isna() & cleaned["reason"].isna()
    cleaned = cleaned[~empty].copy()
    original = original.loc[cleaned.index]
    cleaned["stage"] = cleaned["stage"].map(canonical_stage)
    cleaned["decision"] = cleaned["decision"].map(canonical_decision)
    cleaned = _object_strings(cleaned, CONSENSUS_USER_COLUMNS)
    typed = cleaned.copy()
    for col in ("work_id", "stage", "decision"):
        typed[col] = typed[col].fillna("")
    _, problems = _validate(ConsensusSchema, typed, file=file, original=original)
    if problems:
        raise InputError(problems=problems)
    return ConsensusSchema.validate(_finish(cleaned, file, CONSENSUS_COLUMNS))


def validate_studies(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Validate the report-to-study mapping (``work_id``, ``study_id``)."""
    cleaned, original, problems = _prepare(
        frame,
        file=file,
        required=STUDIES_COLUMNS,
        user_columns=STUDIES_COLUMNS,
        ignored=DISPLAY_COLUMNS + ["note"],
        what="studies file",
    )
    if problems:
        raise InputError(problems=problems)
    cleaned = cleaned[~(cleaned["work_id"].isna() & cleaned["study_id"].isna())].copy()
    cleaned = _object_strings(cleaned, STUDIES_COLUMNS).fillna("")
    _, problems = _validate(StudiesSchema, cleaned, file=file, original=original)
    if problems:
        raise InputError(problems=problems)
    return StudiesSchema.validate(cleaned.reset_index(drop=True))


def empty_log() -> pd.DataFrame:
    """A screening log with no rows and the right columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in LOG_COLUMNS})
    frame["time"] = frame["time"].astype("datetime64[ns]")
    frame["row"] = frame["row"].astype("Int64")
    return frame  # valid under ScreeningLogSchema (tested)


def empty_consensus() -> pd.DataFrame:
    """A consensus table with no rows."""
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in CONSENSUS_COLUMNS})
    frame["row"] = frame["row"].astype("Int64")
    return frame  # valid under ConsensusSchema (tested)


def concat_problems(
    items: Iterable[Any], func: Callable[[Any], pd.DataFrame]
) -> tuple[list[pd.DataFrame], list[Problem]]:
    """Apply ``func`` to each item, collecting every InputError's problems."""
    frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for item in items:
        try:
            frames.append(func(item))
        except InputError as exc:
            problems += exc.problems
    return frames, problems


def records_with_location(mapping: Mapping[Any, Any]) -> str:
    """``file row 3`` style location text for messages."""
    file = mapping.get("file")
    row = mapping.get("row")
    parts = [str(file)] if file else []
    if row is not None and not pd.isna(row):
        parts.append(f"row {int(row)}")
    return " ".join(parts) if parts else "(no file)"
